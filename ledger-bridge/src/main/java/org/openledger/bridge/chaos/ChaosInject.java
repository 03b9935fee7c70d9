package org.openledger.bridge.chaos;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
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
 * look for every one of them in the dead-letter topic.
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
      default ->
          throw new IllegalArgumentException("usage: ChaosInject malformed | bad-content [N]");
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
}
