package org.openledger.bridge.analytics;

import com.clickhouse.client.api.Client;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openledger.bridge.follow.FollowerConfig;
import org.openledger.bridge.metrics.MetricsEndpoint;
import org.openledger.config.ConfigKey;
import org.openledger.config.ConfigSource;
import org.openledger.pipeline.DeadLetter;
import org.openledger.schemas.TopicBootstrap;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ClickHouse loader process: applies the DDL, then loads every event, result, accrual, batch,
 * leaf and dead-letter topic (read_committed) into its table, committing Kafka offsets after each
 * insert. A crash between the insert and the commit loads the same records again, which changes no
 * query result (see {@link ClickHouseLoader}).
 */
public final class LoaderApp {

  private static final Logger LOG = LoggerFactory.getLogger(LoaderApp.class);

  static final ConfigKey<String> KAFKA = FollowerConfig.KAFKA;
  static final ConfigKey<String> REGISTRY = FollowerConfig.REGISTRY;
  static final ConfigKey<String> PREFIX = FollowerConfig.PREFIX;
  static final ConfigKey<String> HOST = MetricsEndpoint.HOST;
  static final ConfigKey<String> CLICKHOUSE =
      ConfigKey.string("clickhouse.url", "http://127.0.0.1:8123", "ClickHouse HTTP endpoint");
  static final ConfigKey<String> DATABASE =
      ConfigKey.string("clickhouse.database", "openledger", "the database the tables live in");
  static final ConfigKey<String> SQL_DIR =
      ConfigKey.string("sql.dir", "sql", "the project's sql/ folder (DDL applied on start)");
  static final ConfigKey<String> GROUP =
      ConfigKey.string("loader.group.id", "openledger-clickhouse-loader", "Kafka consumer group");
  static final ConfigKey<Integer> METRICS_PORT =
      new ConfigKey<>(
          "loader.metrics.port",
          "9467",
          "port of /metrics on host (0: any free port)",
          v -> Integer.valueOf(v.trim()),
          p -> p >= 0 && p <= 65535,
          "must be 0-65535");

  private LoaderApp() {}

  public static void main(String[] args) throws Exception {
    ConfigSource config = ConfigSource.of(System.getenv(), Optional.empty());
    config.validate(
        List.of(KAFKA, REGISTRY, PREFIX, CLICKHOUSE, DATABASE, SQL_DIR, GROUP, METRICS_PORT, HOST));
    LoaderMetrics metrics = new LoaderMetrics();
    int port = metrics.serve(config.get(HOST), config.get(METRICS_PORT));
    try (Client client = client(config.get(CLICKHOUSE))) {
      Ddl.apply(client, Path.of(config.get(SQL_DIR)), config.get(DATABASE));
      ClickHouseLoader loader =
          new ClickHouseLoader(
              client,
              config.get(DATABASE),
              config.get(PREFIX),
              new SchemaRegistryClient(URI.create(config.get(REGISTRY))),
              metrics);
      List<NewTopic> topics = new ArrayList<>();
      loader.topics().forEach(t -> topics.add(new NewTopic(t, 1, (short) 1))); // all have 1
      TopicBootstrap.ensure(config.get(KAFKA), topics);
      String deadLetterTopic = config.get(PREFIX) + Topics.DEAD_LETTERS.name();
      var deadLetters =
          new ConfluentAvroSerde<>(
              Topics.DEAD_LETTERS.withName(deadLetterTopic),
              new SchemaRegistryClient(URI.create(config.get(REGISTRY))),
              DeadLetter.class);
      try (KafkaConsumer<byte[], byte[]> consumer = consumer(config);
          KafkaProducer<String, byte[]> producer = producer(config)) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : loader.topics()) {
          consumer
              .partitionsFor(topic)
              .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        LOG.info(
            "loading {} topics into {} at {} (metrics on {}:{})",
            partitions.size(),
            config.get(DATABASE),
            config.get(CLICKHOUSE),
            config.get(HOST),
            port);
        long lastReport = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
          if (records.isEmpty()) {
            continue;
          }
          ClickHouseLoader.Result result = loader.load(records);
          List<Future<?>> sent = new ArrayList<>();
          for (DeadLetter d : result.deadLetters()) {
            sent.add(
                producer.send(
                    new ProducerRecord<>(deadLetterTopic, "loader", deadLetters.encode(d))));
          }
          for (var f : sent) {
            f.get(); // every dead letter is written before the offsets move past it (or we stop)
          }
          // After the insert: a crash in between only loads the same rows again (and may write a
          // dead letter twice: the dead_letters table keys them by their source record).
          consumer.commitSync();
          if (System.nanoTime() - lastReport > 10_000_000_000L) {
            LOG.info(
                "rows={} inserts={} undecodable={}",
                metrics.rows.get(),
                metrics.inserts.get(),
                metrics.undecodable.get());
            lastReport = System.nanoTime();
          }
        }
      }
    } finally {
      metrics.stop();
    }
  }

  public static Client client(String url) {
    return org.openledger.clickhouse.ClickHouseHttp.client(url);
  }

  private static KafkaProducer<String, byte[]> producer(ConfigSource config) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(KAFKA));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(ConfigSource config) {
    return consumer(config.get(KAFKA), config.get(PREFIX) + config.get(GROUP));
  }

  /**
   * The loader's consumer: read_committed, manual commits, polls of up to 50,000 records (each poll
   * is one insert per table, and ClickHouse wants few large inserts: see BENCHMARKS.md).
   */
  public static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "50000");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 << 20));
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 << 20));
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
