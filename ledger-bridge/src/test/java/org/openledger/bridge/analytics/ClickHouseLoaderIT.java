package org.openledger.bridge.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openledger.events.AttributionMethod;
import org.openledger.events.BatchSettled;
import org.openledger.events.ChainPosition;
import org.openledger.events.InferencePaid;
import org.openledger.events.ModelRegistered;
import org.openledger.pipeline.DeadLetter;
import org.openledger.pipeline.PayeeRole;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.schemas.Topic;
import org.openledger.schemas.TopicBootstrap;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.LocalStack;

/**
 * The loader on the real ClickHouse 18.16 and Kafka: the project's DDL applies (twice), records of
 * several topics (arrays, exact wei, a reorg's compensating record, a dead letter with raw bytes)
 * load, an undecodable record comes back as a dead letter, and loading the same range again, or
 * again after a restart before the offset commit, leaves every query's answer byte for byte the
 * same.
 */
class ClickHouseLoaderIT {

  private static final byte[] GARBAGE = {0x7f, 1, 2, 3}; // not the Confluent magic byte
  private static final String ALICE = "0x00000000000000000000000000000000000a11ce";
  private final Client client = LoaderApp.client(LocalStack.clickhouseUrl().toString());
  private final String name = LocalStack.unique("loader");
  private final String database = name.replace('-', '_');

  @AfterEach
  void drop() throws Exception {
    client.execute("DROP DATABASE IF EXISTS " + database).get(60, TimeUnit.SECONDS).close();
    client.close();
  }

  @Test
  void shouldGiveTheSameAnswersAfterALoadAReplayAndARestartBeforeTheCommit() throws Exception {
    Path sql = Path.of("..", "sql");
    Ddl.apply(client, sql, database);
    Ddl.apply(client, sql, database); // IF NOT EXISTS throughout: a second run changes nothing
    String prefix = name + ".";
    produce(prefix);

    List<DeadLetter> rejected = load(prefix, "first", Integer.MAX_VALUE);
    List<String> answers = answers();
    assertThat(answers.get(4)).isEqualTo("1\t[1,2]\tEMBEDDING\tminilm-l6-v2\n");
    assertThat(rejected)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getStage()).isEqualTo("loader");
              assertThat(d.getReason()).startsWith("undecodable ModelRegistered: ");
              assertThat(d.getSourceTopic()).isEqualTo(prefix + Topics.MODEL_REGISTERED.name());
              assertThat(d.getSourceOffset()).isEqualTo(1L);
              assertThat(d.getValue()).isEqualTo(ByteBuffer.wrap(GARBAGE));
            });
    assertThat(answers.get(0)).isEqualTo("2\n"); // three fees, one reorged away
    assertThat(answers.get(1)).isEqualTo("1\n"); // its compensating record replaced it

    load(prefix, "replay", Integer.MAX_VALUE); // everything from offset 0 again
    assertThat(answers()).isEqualTo(answers);

    load(prefix, "crashed", 2); // a run that inserted two polls' worth and died before committing
    load(prefix, "crashed", Integer.MAX_VALUE); // its restart loads those records again
    assertThat(answers()).isEqualTo(answers);
  }

  @Test
  void shouldGiveATableAnOlderDdlMadeTheColumnsAddedSinceWithTheirDefaults() throws Exception {
    String db = database;
    client.execute("CREATE DATABASE " + db).get(60, TimeUnit.SECONDS).close();
    // params_changed as it was before the share rule: one row loaded then.
    client
        .execute(
            "CREATE TABLE "
                + db
                + ".params_changed (chain_id UInt64, block_number UInt64, block_hash String,"
                + " block_time DateTime, tx_hash String, log_index Int32, removed UInt8,"
                + " version UInt64, contributor_bps UInt16, owner_bps UInt16, protocol_bps UInt16,"
                + " top_k UInt16, similarity_threshold_ppm UInt32, duplicate_bound_ppm UInt32,"
                + " min_payout_wei Decimal(38, 0), settlement_window_blocks UInt64,"
                + " max_payees_per_batch UInt32, _partition UInt32, _offset UInt64,"
                + " _timestamp_ms UInt64) ENGINE = ReplacingMergeTree(_offset)"
                + " ORDER BY (chain_id, block_hash, log_index)")
        .get(60, TimeUnit.SECONDS)
        .close();
    client
        .execute(
            "INSERT INTO "
                + db
                + ".params_changed VALUES (1337, 1, '0xb1', '2026-11-25 00:00:00', '0xt', 0, 0, 1,"
                + " 7000, 2000, 1000, 5, 200000, 950000, 1000, 20, 200, 0, 0, 0)")
        .get(60, TimeUnit.SECONDS)
        .close();

    Ddl.apply(client, Path.of("..", "sql"), db);
    Ddl.apply(client, Path.of("..", "sql"), db); // and again: nothing left to add

    assertThat(
            text(
                "SELECT name FROM system.columns WHERE database = '"
                    + db
                    + "' AND table = 'params_changed' AND name LIKE 'share%'"))
        .isEqualTo("share_rule\nshare_rule_param\n");
    assertThat(text("SELECT version, share_rule, share_rule_param FROM " + db + ".params_changed"))
        .isEqualTo("1\tLINEAR\t0\n");
    // The loader's rows (by position) fit it: share_rule sits before the Kafka columns.
    client
        .execute(
            "INSERT INTO "
                + db
                + ".params_changed VALUES (1337, 9, '0xb9', '2026-11-25 00:00:00', '0xt', 0, 0, 2,"
                + " 7000, 2000, 1000, 5, 200000, 950000, 1000, 20, 200, 'POWER', 3, 0, 1, 0)")
        .get(60, TimeUnit.SECONDS)
        .close();
    assertThat(
            text(
                "SELECT version, share_rule, share_rule_param FROM "
                    + db
                    + ".params_changed ORDER BY version"))
        .isEqualTo("1\tLINEAR\t0\n2\tPOWER\t3\n");
  }

  /** The queries whose answers must not move, as text and (for exact wei) RowBinary hex. */
  private List<String> answers() throws Exception {
    String db = database;
    List<String> out = new ArrayList<>();
    out.add(text("SELECT count() FROM " + db + ".inference_paid FINAL WHERE removed = 0"));
    out.add(text("SELECT count() FROM " + db + ".inference_paid FINAL WHERE removed = 1"));
    out.add(hex("SELECT sum(fee_wei) FROM " + db + ".inference_paid FINAL WHERE removed = 0"));
    out.add(
        hex(
            "SELECT payee, sum(amount_wei) FROM "
                + db
                + ".payout_accruals FINAL WHERE removed = 0 GROUP BY payee ORDER BY payee"));
    out.add(
        text(
            "SELECT model_id, datanet_ids, method, encoder_id FROM "
                + db
                + ".model_registered FINAL"));
    out.add(hex("SELECT batch_id, payees, amounts_wei FROM " + db + ".batch_settled FINAL"));
    out.add(text("SELECT stage, reason, value_hex FROM " + db + ".dead_letters FINAL"));
    out.add(
        text("SELECT count() FROM " + db + ".inference_paid")); // raw rows may differ: not compared
    return out.subList(0, out.size() - 1);
  }

  private String text(String sql) throws Exception {
    return new String(
        query(sql, ClickHouseFormat.TabSeparated), java.nio.charset.StandardCharsets.UTF_8);
  }

  private String hex(String sql) throws Exception {
    return java.util.HexFormat.of().formatHex(query(sql, ClickHouseFormat.RowBinary));
  }

  private byte[] query(String sql, ClickHouseFormat format) throws Exception {
    try (QueryResponse response =
        client
            .query(sql + " FORMAT " + format.name(), new QuerySettings().setFormat(format))
            .get(60, TimeUnit.SECONDS)) {
      return response.getInputStream().readAllBytes();
    }
  }

  /**
   * Loads with consumer group {@code group}, committing after each poll, up to {@code polls};
   * returns the dead letters the loader handed back.
   */
  private List<DeadLetter> load(String prefix, String group, int polls) throws Exception {
    List<DeadLetter> rejected = new ArrayList<>();
    ClickHouseLoader loader =
        new ClickHouseLoader(
            client,
            database,
            prefix,
            new SchemaRegistryClient(LocalStack.registryUrl()),
            new LoaderMetrics());
    Properties p = new Properties();
    p.put("bootstrap.servers", LocalStack.kafkaBootstrap());
    p.put("group.id", prefix + group);
    p.put("isolation.level", "read_committed");
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", "false");
    p.put("max.poll.records", "3");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      loader.topics().forEach(t -> parts.add(new TopicPartition(t, 0)));
      consumer.assign(parts);
      var end = consumer.endOffsets(parts);
      int loaded = 0;
      while (loaded < polls && parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        if (records.isEmpty()) {
          continue;
        }
        rejected.addAll(loader.load(records).deadLetters());
        loaded++;
        if (polls == Integer.MAX_VALUE) {
          consumer.commitSync();
        }
      }
    }
    return rejected;
  }

  private void produce(String prefix) throws Exception {
    List<NewTopic> topics = new ArrayList<>();
    for (LoadedTables.Loaded<?> t : LoadedTables.ALL) {
      topics.add(new NewTopic(prefix + t.topic().name(), 1, (short) 1));
    }
    TopicBootstrap.ensure(LocalStack.kafkaBootstrap(), topics);
    List<InferencePaid> fees = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      fees.add(
          InferencePaid.newBuilder()
              .setPosition(at(10 + i, 0))
              .setInferenceId(i)
              .setModelId(1)
              .setPayer(ALICE)
              .setFee(new BigDecimal("123456789012345678901234567" + i))
              .setQueryHash("0x" + "ab".repeat(32))
              .setQueryUri("file:///q\twith\ttabs\nand a newline")
              .build());
    }
    InferencePaid reorged = InferencePaid.newBuilder(fees.get(2)).setRemoved(true).build();
    send(prefix, Topics.INFERENCE_PAID, List.of(fees.get(0), fees.get(1), fees.get(2), reorged));
    send(
        prefix,
        Topics.MODEL_REGISTERED,
        List.of(
            ModelRegistered.newBuilder()
                .setPosition(at(5, 1))
                .setModelId(1)
                .setOwner(ALICE)
                .setDatanetIds(List.of(1L, 2L))
                .setMethod(AttributionMethod.EMBEDDING)
                .setName("it's a model")
                .setEncoderId("minilm-l6-v2")
                .build()));
    // Not Avro at all: the loader dead-letters it and goes on.
    try (KafkaProducer<String, byte[]> producer = producer()) {
      producer
          .send(new ProducerRecord<>(prefix + Topics.MODEL_REGISTERED.name(), "k", GARBAGE))
          .get();
    }
    List<PayoutAccrual> accruals = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      accruals.add(
          PayoutAccrual.newBuilder()
              .setInferenceId(i)
              .setPosition(at(10 + i, 0))
              .setModelId(1L)
              .setPayee(i % 2 == 0 ? ALICE : "0x0000000000000000000000000000000000000b0b")
              .setRole(PayeeRole.CONTRIBUTOR)
              .setContributionId((long) i)
              .setAmount(new BigDecimal("99999999999999999999999999999999999" + i))
              .setParamsVersion(1)
              .build());
    }
    send(prefix, Topics.PAYOUT_ACCRUALS, accruals);
    send(
        prefix,
        Topics.BATCH_SETTLED,
        List.of(
            BatchSettled.newBuilder()
                .setPosition(at(30, 2))
                .setBatchId("0x" + "01".repeat(32))
                .setAttributionRoot("0x" + "02".repeat(32))
                .setTotal(new BigDecimal("3"))
                .setPayees(List.of(ALICE, "0x0000000000000000000000000000000000000b0b"))
                .setAmounts(List.of(BigDecimal.ONE, new BigDecimal(2)))
                .build()));
    send(
        prefix,
        Topics.DEAD_LETTERS,
        List.of(
            DeadLetter.newBuilder()
                .setStage("decoder")
                .setReason("unknown event 'X' \\ with backslash")
                .setSourceTopic("chain.raw-logs")
                .setSourcePartition(0)
                .setSourceOffset(7L)
                .setValue(ByteBuffer.wrap(new byte[] {0, 1, (byte) 0xff}))
                .build()));
  }

  private static <T extends SpecificRecord> void send(String prefix, Topic topic, List<T> records)
      throws Exception {
    String name = prefix + topic.name();
    var serde =
        new ConfluentAvroSerde<SpecificRecord>(
            topic.withName(name),
            new SchemaRegistryClient(LocalStack.registryUrl()),
            SpecificRecord.class);
    try (KafkaProducer<String, byte[]> producer = producer()) {
      for (T r : records) {
        producer.send(new ProducerRecord<>(name, "k", serde.encode(r))).get();
      }
    }
  }

  private static KafkaProducer<String, byte[]> producer() {
    Properties p = new Properties();
    p.put("bootstrap.servers", LocalStack.kafkaBootstrap());
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private static ChainPosition at(long block, int logIndex) {
    return ChainPosition.newBuilder()
        .setChainId(1337)
        .setBlockNumber(block)
        .setBlockHash(String.format("0x%064x", block))
        .setBlockTimestamp(1_700_000_000L + block)
        .setTxHash(String.format("0x%064x", block * 1000 + logIndex))
        .setLogIndex(logIndex)
        .build();
  }
}
