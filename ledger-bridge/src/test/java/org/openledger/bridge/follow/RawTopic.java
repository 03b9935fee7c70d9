package org.openledger.bridge.follow;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.events.RawChainLog;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.LocalStack;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/** Test views of a raw topic (read_committed) and of the chain's own logs, as event ids. */
final class RawTopic {

  private RawTopic() {}

  static List<RawChainLog> readCommitted(String topic) {
    var serde =
        new ConfluentAvroSerde<>(
            Topics.RAW_LOGS.withName(topic),
            new SchemaRegistryClient(LocalStack.registryUrl()),
            RawChainLog.class);
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<RawChainLog> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          records.add(serde.decode(r.value()));
        }
      }
    }
    return records;
  }

  /** The logs of a raw topic, without the follower's seals. */
  static List<RawChainLog> logs(String topic) {
    return readCommitted(topic).stream()
        .filter(r -> r.getKind() == org.openledger.events.RawRecordKind.LOG)
        .toList();
  }

  static String id(RawChainLog r) {
    return r.getPosition().getBlockNumber()
        + ":"
        + r.getPosition().getBlockHash()
        + ":"
        + r.getPosition().getLogIndex();
  }

  /** The canonical logs of the deployment's contracts, as the node reports them now. */
  static List<String> canonicalIds(Chain chain, Deployment deployment) throws Exception {
    EthFilter filter =
        new EthFilter(
            DefaultBlockParameter.valueOf(BigInteger.valueOf(deployment.startBlock())),
            DefaultBlockParameter.valueOf(chain.web3().ethBlockNumber().send().getBlockNumber()),
            deployment.contractAddresses());
    List<String> ids = new ArrayList<>();
    for (EthLog.LogResult<?> result : chain.web3().ethGetLogs(filter).send().getLogs()) {
      Log log = (Log) result.get();
      ids.add(
          log.getBlockNumber() + ":" + log.getBlockHash().toLowerCase() + ":" + log.getLogIndex());
    }
    return ids;
  }

  /** Environment of a follower process (or config) for this test run's own topics. */
  static Map<String, String> followerEnv(String name, java.nio.file.Path deploymentFile) {
    return Map.of(
        "OPENLEDGER_EVM_RPC_URL",
        LocalStack.evmRpcUrl().toString(),
        "OPENLEDGER_KAFKA_BOOTSTRAP",
        LocalStack.kafkaBootstrap(),
        "OPENLEDGER_REGISTRY_URL",
        LocalStack.registryUrl().toString(),
        "OPENLEDGER_DEPLOYMENT_FILE",
        deploymentFile.toString(),
        "OPENLEDGER_FOLLOWER_ID",
        name,
        "OPENLEDGER_TOPIC_PREFIX",
        name + ".",
        "OPENLEDGER_FOLLOWER_METRICS_PORT",
        "0",
        "OPENLEDGER_FOLLOWER_MAX_BLOCKS_PER_POLL",
        "4",
        "OPENLEDGER_FOLLOWER_POLL_INTERVAL_MS",
        "50");
  }
}
