package org.openledger.flink.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openledger.config.ConfigKey;
import org.openledger.config.ConfigSource;

/**
 * The validated configuration of the Flink pipeline app ({@link org.openledger.flink.PipelineApp}):
 * where Kafka is, where the Web UI binds, how often it checkpoints. Operators never read it; the
 * app hands them what they need.
 */
public record PipelineConfig(
    boolean embedded,
    String kafkaBootstrap,
    String restAddress,
    int restPort,
    long checkpointIntervalMs,
    long kafkaTransactionTimeoutMs,
    String relayInputTopic,
    String relayOutputTopic) {

  public static final ConfigKey<Boolean> EMBEDDED =
      new ConfigKey<>(
          "flink.mode",
          "embedded",
          "embedded: a mini-cluster with Web UI in this JVM; cluster: submitted to a real Flink cluster",
          s ->
              switch (s.trim()) {
                case "embedded" -> true;
                case "cluster" -> false;
                default -> throw new IllegalArgumentException(s);
              },
          b -> true,
          "must be 'embedded' or 'cluster'");
  public static final ConfigKey<String> KAFKA_BOOTSTRAP =
      ConfigKey.string(
          "kafka.bootstrap", "127.0.0.1:9092", "Kafka bootstrap servers, host:port[,...]");
  public static final ConfigKey<String> REST_ADDRESS =
      ConfigKey.string(
          "flink.rest.address", "127.0.0.1", "address the Flink Web UI and REST API bind");
  public static final ConfigKey<Integer> REST_PORT =
      ConfigKey.port("flink.rest.port", 8081, "port of the Flink Web UI and REST API");
  public static final ConfigKey<Long> CHECKPOINT_INTERVAL_MS =
      ConfigKey.atLeast(
          "checkpoint.interval.ms",
          1000,
          100,
          "checkpoint interval; exactly-once output commits on it");
  public static final ConfigKey<Long> KAFKA_TRANSACTION_TIMEOUT_MS =
      ConfigKey.atLeast(
          "kafka.transaction.timeout.ms",
          60_000,
          1000,
          "transaction timeout of the exactly-once Kafka sinks; at most the broker's transaction.max.timeout.ms");
  public static final ConfigKey<String> RELAY_INPUT_TOPIC =
      ConfigKey.string("relay.input.topic", "openledger.stack-check", "topic the relay job reads");
  public static final ConfigKey<String> RELAY_OUTPUT_TOPIC =
      ConfigKey.string(
          "relay.output.topic", "openledger.stack-check.relayed", "topic the relay job writes");

  public static final List<ConfigKey<?>> KEYS =
      List.of(
          EMBEDDED,
          KAFKA_BOOTSTRAP,
          REST_ADDRESS,
          REST_PORT,
          CHECKPOINT_INTERVAL_MS,
          KAFKA_TRANSACTION_TIMEOUT_MS,
          RELAY_INPUT_TOPIC,
          RELAY_OUTPUT_TOPIC);

  /** Defaults, then the optional properties file, then {@code OPENLEDGER_*} variables. */
  public static PipelineConfig load(Map<String, String> environment, Optional<Path> file) {
    ConfigSource source = ConfigSource.of(environment, file);
    source.validate(KEYS);
    return new PipelineConfig(
        source.get(EMBEDDED),
        source.get(KAFKA_BOOTSTRAP),
        source.get(REST_ADDRESS),
        source.get(REST_PORT),
        source.get(CHECKPOINT_INTERVAL_MS),
        source.get(KAFKA_TRANSACTION_TIMEOUT_MS),
        source.get(RELAY_INPUT_TOPIC),
        source.get(RELAY_OUTPUT_TOPIC));
  }
}
