package org.openledger.bridge.chaos;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.deploy.DeployConfig;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.follow.FollowerConfig;
import org.openledger.bridge.scenario.ContentStore;
import org.openledger.bridge.scenario.ScenarioApp;
import org.openledger.bridge.scenario.ScenarioDriver;
import org.openledger.config.ConfigSource;
import org.openledger.schemas.Topics;
import org.web3j.crypto.Credentials;

/**
 * The chaos suite's bad input, injected while the pipeline runs: {@code malformed} writes raw
 * records no decoder can read onto chain.raw-logs (as a broken producer would) and prints each
 * one's {@code topic partition offset}; {@code bad-content N} makes N contributions whose stored
 * bytes do not match the hash they commit to on chain, and prints each one's URI. The checks then
 * look for every one of them in the dead-letter topic. {@code rewind-group G} sets consumer group
 * G's committed offsets back to the earliest, as a broker that lost them would, and prints {@code G
 * partitions records-behind}.
 */
public final class ChaosInject {

  /** The dev-chain account the injected contributions come from (the workload uses 10-59). */
  static final int INJECTOR = 60;

  private ChaosInject() {}

  public static void main(String[] args) throws Exception {
    ConfigSource config = ConfigSource.of(System.getenv(), Optional.empty());
    switch (args.length > 0 ? args[0] : "") {
      case "malformed" -> malformed(config);
      case "bad-content" -> badContent(config, args.length > 1 ? Integer.parseInt(args[1]) : 1);
      case "rewind-group" -> rewindGroup(config, args[1]);
      default ->
          throw new IllegalArgumentException(
              "usage: ChaosInject malformed | bad-content [N] | rewind-group GROUP");
    }
  }

  private static void malformed(ConfigSource config) throws Exception {
    config.validate(List.of(FollowerConfig.KAFKA, FollowerConfig.PREFIX));
    String topic = config.get(FollowerConfig.PREFIX) + Topics.RAW_LOGS.name();
    Properties p = new Properties();
    p.put("bootstrap.servers", config.get(FollowerConfig.KAFKA));
    p.put("acks", "all");
    byte[][] values = {
      "not avro at all".getBytes(StandardCharsets.UTF_8), // no Confluent magic byte
      {0, 0, 0, 0, 1}, // the frame of schema 1 and nothing after it
    };
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (byte[] value : values) {
        RecordMetadata m = producer.send(new ProducerRecord<>(topic, "chaos", value)).get();
        System.out.println(m.topic() + " " + m.partition() + " " + m.offset());
      }
    }
  }

  private static void badContent(ConfigSource config, int count) throws Exception {
    DeployConfig deploy = DeployConfig.load(System.getenv());
    config.validate(List.of(ScenarioApp.CONTENT_DIR));
    ContentStore content = new ContentStore(Path.of(config.get(ScenarioApp.CONTENT_DIR)));
    DevAccounts accounts = DevAccounts.devNode();
    Credentials deployer = accounts.account(0);
    Credentials injector = accounts.account(INJECTOR);
    BigInteger open = BigInteger.TEN.pow(18);
    try (Chain chain = new Chain(deploy.rpcUrl(), deploy.chainId())) {
      ScenarioDriver driver = new ScenarioDriver(chain, Deployment.read(deploy.deploymentFile()));
      chain.setBalance(injector.getAddress(), BigInteger.TEN.pow(22));
      driver.fund(deployer, injector.getAddress(), open.multiply(BigInteger.valueOf(count)));
      for (int i = 0; i < count; i++) {
        String text = "chaos: committed text #" + System.nanoTime();
        String uri =
            content.put(
                (text + " (altered after it was committed)").getBytes(StandardCharsets.UTF_8));
        driver.contribute(injector, 1, text.getBytes(StandardCharsets.UTF_8), uri, open);
        System.out.println(uri);
      }
    }
  }

  /**
   * Sets every committed offset of {@code group} back to its partition's earliest offset. Waits up
   * to 120 s for the group's killed members to time out first: the broker refuses to move the
   * offsets of a group with members.
   */
  private static void rewindGroup(ConfigSource config, String group) throws Exception {
    config.validate(List.of(FollowerConfig.KAFKA, FollowerConfig.PREFIX));
    String id = config.get(FollowerConfig.PREFIX) + group;
    try (Admin admin =
        Admin.create(
            Map.<String, Object>of("bootstrap.servers", config.get(FollowerConfig.KAFKA)))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!admin
          .describeConsumerGroups(List.of(id))
          .all()
          .get(30, TimeUnit.SECONDS)
          .get(id)
          .members()
          .isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(id + " still has members after 120 s");
        }
        Thread.sleep(1000);
      }
      Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
      admin
          .listConsumerGroupOffsets(id)
          .partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS)
          .forEach(
              (tp, o) -> {
                if (o != null) {
                  committed.put(tp, o);
                }
              });
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      committed.keySet().forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
      Map<TopicPartition, OffsetAndMetadata> rewound = new HashMap<>();
      long behind = 0;
      for (var e : admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS).entrySet()) {
        rewound.put(e.getKey(), new OffsetAndMetadata(e.getValue().offset()));
        behind += committed.get(e.getKey()).offset() - e.getValue().offset();
      }
      admin.alterConsumerGroupOffsets(id, rewound).all().get(30, TimeUnit.SECONDS);
      System.out.println(id + " " + rewound.size() + " " + behind);
    }
  }
}
