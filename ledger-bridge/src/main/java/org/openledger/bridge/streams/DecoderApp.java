package org.openledger.bridge.streams;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.openledger.bridge.decode.ChainEventDecoder;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.metrics.MetricsEndpoint;
import org.openledger.config.ConfigKey;
import org.openledger.config.ConfigSource;
import org.openledger.schemas.Topic;
import org.openledger.schemas.TopicBootstrap;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decoder process: runs {@link DecoderTopology} with exactly-once processing and serves its
 * metrics on a read-only HTTP endpoint bound to {@code host} (loopback by default). {@code main}
 * only loads configuration.
 */
public final class DecoderApp {

  private static final Logger LOG = LoggerFactory.getLogger(DecoderApp.class);

  /**
   * The Kafka Streams application id after the topic prefix: its consumer group, and the first part
   * of its internal topics' names (a rebuild deletes both).
   */
  public static final String APPLICATION_ID = "openledger-decoder";

  static final ConfigKey<String> KAFKA =
      ConfigKey.string("kafka.bootstrap", "127.0.0.1:9092", "Kafka bootstrap servers");
  static final ConfigKey<String> REGISTRY =
      ConfigKey.string(
          "registry.url", "http://127.0.0.1:8085/apis/ccompat/v7", "Confluent-API schema registry");
  static final ConfigKey<String> DEPLOYMENT =
      ConfigKey.string(
          "deployment.file", ".run/deployment.json", "the contracts whose logs to decode");
  static final ConfigKey<String> PREFIX =
      new ConfigKey<>(
          "topic.prefix", "", "prefix of every topic name (tests)", String::trim, s -> true, "");
  static final ConfigKey<String> STATE_DIR =
      ConfigKey.string("decoder.state.dir", ".run/decoder", "Kafka Streams state directory");
  static final ConfigKey<String> HOST = MetricsEndpoint.HOST;
  static final ConfigKey<Integer> HTTP_PORT =
      new ConfigKey<>(
          "decoder.http.port",
          "8090",
          "port of the balances API and /metrics on host (0: any free port)",
          v -> Integer.valueOf(v.trim()),
          p -> p >= 0 && p <= 65535,
          "must be 0-65535");

  private DecoderApp() {}

  public static void main(String[] args) throws Exception {
    ConfigSource config = ConfigSource.of(System.getenv(), Optional.empty());
    config.validate(List.of(KAFKA, REGISTRY, DEPLOYMENT, PREFIX, STATE_DIR, HTTP_PORT, HOST));
    DecoderStreamsConfig tuning = DecoderStreamsConfig.load(config);
    TopicNames names = new TopicNames(config.get(PREFIX));
    Deployment deployment = Deployment.read(Path.of(config.get(DEPLOYMENT)));
    SchemaRegistryClient registry = new SchemaRegistryClient(URI.create(config.get(REGISTRY)));
    DecoderMetrics metrics = new DecoderMetrics();
    ensureTopics(config.get(KAFKA), names);

    StreamsBuilder builder = new StreamsBuilder();
    DecoderTopology.build(
        builder, names, registry, new ChainEventDecoder(deployment.addressesByName()), metrics);
    BalancesTopology.build(builder, names, registry, metrics);
    Properties props = streamsProps(config.get(KAFKA), names, config.get(STATE_DIR), tuning);

    CountDownLatch stopped = new CountDownLatch(1);
    try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
      streams.setStateListener(
          (now, before) -> {
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
              stopped.countDown();
            }
          });
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      streams.start();
      BalancesApi api = new BalancesApi(new StoreViews(streams), metrics::render);
      int port = api.start(config.get(HOST), config.get(HTTP_PORT));
      LOG.info(
          "decoding {}; balances API and metrics on http://{}:{}",
          names.of(Topics.RAW_LOGS),
          config.get(HOST),
          port);
      stopped.await();
      api.stop();
    }
  }

  /** Exactly-once processing with the default tuning of {@link DecoderStreamsConfig}. */
  public static Properties streamsProps(String bootstrap, TopicNames names, String stateDir) {
    return streamsProps(bootstrap, names, stateDir, DecoderStreamsConfig.defaults());
  }

  /**
   * Exactly-once processing (exactly_once_v2) with {@code tuning}: its commit interval is the
   * latency a read_committed consumer of the typed topics sees on top of processing.
   */
  public static Properties streamsProps(
      String bootstrap, TopicNames names, String stateDir, DecoderStreamsConfig tuning) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, names.prefix() + APPLICATION_ID);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    // No replication.factor: Streams' default (-1) creates its internal topics (changelogs,
    // repartitions) with the broker's default.replication.factor, as TopicBootstrap does ours.
    tuning.applyTo(props);
    return props;
  }

  /** Creates the raw, typed, dead-letter and balances input topics when missing. */
  public static void ensureTopics(String bootstrap, TopicNames names) throws Exception {
    List<Topic> wanted = new ArrayList<>(DecoderTopology.outputs());
    wanted.add(Topics.RAW_LOGS);
    wanted.addAll(BalancesTopology.INPUTS);
    TopicBootstrap.ensure(
        bootstrap,
        wanted.stream().map(t -> new NewTopic(names.of(t), t.partitions(), (short) 1)).toList());
  }
}
