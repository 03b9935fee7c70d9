package org.openledger.bridge.bench;

import com.clickhouse.client.api.Client;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openledger.bridge.analytics.ClickHouseLoader;
import org.openledger.bridge.analytics.Ddl;
import org.openledger.bridge.analytics.LoaderApp;
import org.openledger.bridge.analytics.LoaderMetrics;
import org.openledger.events.ChainPosition;
import org.openledger.pipeline.PayeeRole;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.schemas.TopicBootstrap;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;

/**
 * {@code bin/openledger bench loader kafka [records]}: the loader end to end, as it runs: Avro
 * accruals on a scratch Kafka topic, read (read_committed), decoded and inserted into a scratch
 * ClickHouse database by the loader's own code, committing after each poll. Prints rows/s.
 */
public final class LoaderKafkaBenchmark {

  private LoaderKafkaBenchmark() {}

  public static void main(String[] args) throws Exception {
    long records = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
    Map<String, String> env = System.getenv();
    String kafka = env.getOrDefault("OPENLEDGER_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    URI registry =
        URI.create(
            env.getOrDefault("OPENLEDGER_REGISTRY_URL", "http://127.0.0.1:8085/apis/ccompat/v7"));
    String url = env.getOrDefault("OPENLEDGER_CLICKHOUSE_URL", "http://127.0.0.1:8123");
    String run = "bench" + Long.toString(System.nanoTime(), 36);
    String prefix = run + ".";
    String topic = prefix + Topics.PAYOUT_ACCRUALS.name();
    TopicBootstrap.ensure(kafka, List.of(new NewTopic(topic, 1, (short) 1)));
    SchemaRegistryClient schemas = new SchemaRegistryClient(registry);
    produce(
        kafka,
        topic,
        records,
        new ConfluentAvroSerde<>(
            Topics.PAYOUT_ACCRUALS.withName(topic), schemas, PayoutAccrual.class));

    try (Client client = LoaderApp.client(url)) {
      Ddl.apply(client, Path.of(env.getOrDefault("OPENLEDGER_SQL_DIR", "sql")), run);
      try (KafkaConsumer<byte[], byte[]> consumer = LoaderApp.consumer(kafka, prefix + "loader")) {
        LoaderMetrics metrics = new LoaderMetrics();
        ClickHouseLoader loader = new ClickHouseLoader(client, run, prefix, schemas, metrics);
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        long started = System.nanoTime();
        long lastReport = started;
        while (consumer.position(partition) < end) {
          ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(500));
          loader.load(polled);
          consumer.commitSync();
          if (System.nanoTime() - lastReport > 5_000_000_000L) {
            System.out.printf("  loaded %,d of %,d%n", metrics.rows(), records);
            lastReport = System.nanoTime();
          }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
            "loader, Kafka -> ClickHouse: %,d accruals in %.1f s: %,.0f rows/s (%,d inserts,"
                + " polls of up to 50,000, commit after each)%n",
            metrics.rows(), seconds, metrics.rows() / seconds, metrics.inserts());
      } finally {
        client.execute("DROP DATABASE IF EXISTS " + run).get(600, TimeUnit.SECONDS).close();
      }
    }
  }

  private static void produce(
      String kafka, String topic, long records, ConfluentAvroSerde<PayoutAccrual> serde)
      throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "1048576");
    long started = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (long i = 0; i < records; i++) {
        long inference = i / 7;
        long block = inference / 50;
        int role = (int) (i % 7) < 5 ? 0 : (int) (i % 7) - 4;
        PayoutAccrual a =
            PayoutAccrual.newBuilder()
                .setInferenceId(inference)
                .setPosition(
                    ChainPosition.newBuilder()
                        .setChainId(1337)
                        .setBlockNumber(block)
                        .setBlockHash(String.format("0x%064x", block))
                        .setBlockTimestamp(1_764_000_000L + block)
                        .setTxHash(String.format("0x%064x", inference))
                        .setLogIndex(0)
                        .build())
                .setModelId(1L)
                .setPayee(String.format("0x%040x", i % 50_000))
                .setRole(PayeeRole.values()[role])
                .setContributionId(role == 0 ? i : null)
                .setAmount(BigDecimal.valueOf(1_000_000_000_000L + i))
                .setParamsVersion(1)
                .build();
        producer.send(new ProducerRecord<>(topic, a.getPayee(), serde.encode(a)));
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "produced %,d Avro accruals to %s in %.1f s (%,.0f/s)%n",
        records, topic, seconds, records / seconds);
  }
}
