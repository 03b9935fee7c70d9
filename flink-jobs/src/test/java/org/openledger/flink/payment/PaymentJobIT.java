package org.openledger.flink.payment;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.openledger.events.ChainEvent;
import org.openledger.events.InferencePaid;
import org.openledger.events.ParamsChanged;
import org.openledger.flink.PipelineApp;
import org.openledger.flink.attribution.AttributionJobIT;
import org.openledger.flink.attribution.ChainEvents;
import org.openledger.flink.config.PipelineConfig;
import org.openledger.flink.domain.Abi;
import org.openledger.flink.domain.MerkleTree;
import org.openledger.pipeline.AttributedContribution;
import org.openledger.pipeline.AttributionResult;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.pipeline.PayoutBatch;
import org.openledger.pipeline.PayoutBatchLeaf;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.LocalStack;

/**
 * The payment job on real Kafka and registry: a scenario of paid inferences and their attribution
 * results, with a governance change of the split mid-run, run twice from offset 0 into separate
 * outputs. Every fee is accounted to the wei, and the replay gives the same batches, ids and roots.
 */
public class PaymentJobIT {

  public static final String TREASURY = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";
  static final String[] CONTRIBUTORS = {
    "0x00000000000000000000000000000000000000c1",
    "0x00000000000000000000000000000000000000c2",
    "0x00000000000000000000000000000000000000c3"
  };
  static final int INFERENCES = 40;
  static final long CHANGE_BLOCK = 20;

  @Test
  void shouldAccountEveryFeeToTheWeiAndReplayTheSameBatches() throws Exception {
    BigInteger fees = BigInteger.ZERO;
    for (int i = 1; i <= INFERENCES; i++) {
      fees = fees.add(fee(i));
    }
    String first = LocalStack.unique("pay-a") + ".";
    String second = LocalStack.unique("pay-b") + ".";
    List<byte[]> batches = run(first, fees);
    List<byte[]> replay = run(second, fees);

    List<PayoutBatch> decoded = decode(Topics.PAYOUT_BATCHES, first, batches, PayoutBatch.class);
    assertThat(decoded).hasSizeGreaterThan(4);
    assertThat(decoded).anyMatch(b -> b.getSubBatchCount() > 1); // at most 2 payees per batch
    assertThat(replay.stream().map(AttributionJobIT::body).map(java.util.Arrays::toString))
        .containsExactlyElementsOf(
            batches.stream().map(AttributionJobIT::body).map(java.util.Arrays::toString).toList());

    // Per payee: what the batches pay is what was accrued, and the total is the fees.
    Map<String, BigInteger> paid = new HashMap<>();
    for (PayoutBatch b : decoded) {
      for (int i = 0; i < b.getPayees().size(); i++) {
        paid.merge(
            b.getPayees().get(i), b.getAmounts().get(i).toBigIntegerExact(), BigInteger::add);
      }
    }
    List<PayoutAccrual> accruals = accruals(first);
    Map<String, BigInteger> accrued = new HashMap<>();
    for (PayoutAccrual a : accruals) {
      BigInteger amount = a.getAmount().toBigIntegerExact();
      accrued.merge(a.getPayee(), a.getRemoved() ? amount.negate() : amount, BigInteger::add);
    }
    assertThat(paid).isEqualTo(accrued);
    assertThat(paid.values().stream().reduce(BigInteger.ZERO, BigInteger::add)).isEqualTo(fees);

    // Governance changed the split at CHANGE_BLOCK: owner 20% before, 40% from then on.
    for (PayoutAccrual a : accruals) {
      if (a.getRole().name().equals("MODEL_OWNER")) {
        long block = a.getPosition().getBlockNumber();
        BigInteger fee = fee(a.getInferenceId());
        int ownerBps = block < CHANGE_BLOCK ? 2_000 : 4_000;
        assertThat(a.getParamsVersion()).isEqualTo(block < CHANGE_BLOCK ? 1L : 2L);
        assertThat(a.getAmount().toBigIntegerExact())
            .isEqualTo(
                fee.multiply(BigInteger.valueOf(ownerBps)).divide(BigInteger.valueOf(10_000)));
      }
    }

    // Every batch's root is the root of its leaves.
    Map<String, List<byte[]>> leaves = new HashMap<>();
    for (PayoutBatchLeaf l : leaves(first)) {
      leaves
          .computeIfAbsent(l.getBatchId(), k -> new ArrayList<>())
          .add(Abi.bytes(l.getLeafHash(), 32, "leaf"));
    }
    for (PayoutBatch b : decoded) {
      assertThat(MerkleTree.of(leaves.get(b.getBatchId())).rootHex()).isEqualTo(b.getMerkleRoot());
    }
  }

  static BigInteger fee(long inference) {
    return BigInteger.valueOf(1_000_003L * inference + 7);
  }

  private static List<byte[]> run(String prefix, BigInteger fees) throws Exception {
    PipelineConfig config = config(prefix);
    AttributionJobIT.produce(config.topic(Topics.CHAIN_EVENTS), chain());
    produce(config.topic(Topics.ATTRIBUTION_RESULTS), Topics.ATTRIBUTION_RESULTS, results());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.enableCheckpointing(config.checkpointIntervalMs());
    PipelineApp.paymentJob(config).build(env);
    JobClient job = env.executeAsync("payment-it " + prefix);
    try {
      return readBatchesUntil(config.topic(Topics.PAYOUT_BATCHES), prefix, fees);
    } finally {
      job.cancel().get();
    }
  }

  /**
   * Params at block 1 (70/20/10) and CHANGE_BLOCK (50/40/10), both with a minimum payout that makes
   * small payees carry over; a model, fees and seals.
   */
  static List<ChainEvent> chain() {
    List<ChainEvent> events = new ArrayList<>();
    events.add(params(1, 1, 7_000, 2_000, 3_000_000));
    events.add(ChainEvents.model(1, 1, 1));
    events.add(ChainEvents.seal(1));
    for (int i = 1; i <= INFERENCES; i++) {
      long block = 1 + i;
      if (block == CHANGE_BLOCK) {
        events.add(params(block, 2, 5_000, 4_000, 3_000_000));
      }
      events.add(
          ChainEvents.of(
              InferencePaid.newBuilder()
                  .setPosition(ChainEvents.at(block, 1))
                  .setInferenceId(i)
                  .setModelId(1)
                  .setPayer(CONTRIBUTORS[0])
                  .setFee(new BigDecimal(fee(i)))
                  .setQueryHash("0x" + "00".repeat(32))
                  .setQueryUri("file:///query-" + i)
                  .build()));
      events.add(ChainEvents.seal(block));
    }
    // No minimum from block 50: whatever small amounts were carried are paid out by then.
    events.add(params(50, 3, 5_000, 4_000, 0));
    events.add(ChainEvents.seal(60));
    return events;
  }

  static ChainEvent params(
      long block, long version, int contributorBps, int ownerBps, long minPayout) {
    return ChainEvents.of(
        ParamsChanged.newBuilder()
            .setPosition(ChainEvents.at(block, 0))
            .setVersion(version)
            .setContributorBps(contributorBps)
            .setOwnerBps(ownerBps)
            .setProtocolBps(10_000 - contributorBps - ownerBps)
            .setTopK(3)
            .setSimilarityThresholdPpm(100_000)
            .setDuplicateBoundPpm(990_000)
            .setMinPayout(new BigDecimal(minPayout))
            .setSettlementWindowBlocks(8)
            .setMaxPayeesPerBatch(2)
            .build());
  }

  /**
   * One result per inference: every fifth unattributed, the others to one to three contributors.
   */
  static List<AttributionResult> results() {
    List<AttributionResult> out = new ArrayList<>();
    for (int i = 1; i <= INFERENCES; i++) {
      List<AttributedContribution> contributions = new ArrayList<>();
      int n = i % 5 == 0 ? 0 : 1 + i % 3;
      for (int c = 0; c < n; c++) {
        contributions.add(
            AttributedContribution.newBuilder()
                .setContributionId(10L * i + c)
                .setContributor(CONTRIBUTORS[(i + c) % 3])
                .setRank(c + 1)
                .setScorePpm(900_000 - 100_000L * c)
                .setWeight(900_000 - 100_000L * c)
                .build());
      }
      out.add(
          AttributionResult.newBuilder()
              .setInferenceId(i)
              .setPosition(ChainEvents.at(1 + i, 1))
              .setModelId(1)
              .setEncoderId("hashing-ngram")
              .setEncoderVersion("1")
              .setParamsVersion(1 + i < CHANGE_BLOCK ? 1 : 2)
              .setContributions(contributions)
              .setUnattributed(n == 0)
              .build());
    }
    // Results arrive in another order than the fees: the ledger must not care.
    java.util.Collections.reverse(out);
    return out;
  }

  /**
   * The payment job's configuration on the shared stack, its topics created under {@code prefix}.
   */
  public static PipelineConfig config(String prefix) throws Exception {
    PipelineConfig config =
        PipelineConfig.load(
            Map.of(
                "OPENLEDGER_KAFKA_BOOTSTRAP",
                LocalStack.kafkaBootstrap(),
                "OPENLEDGER_REGISTRY_URL",
                LocalStack.registryUrl().toString(),
                "OPENLEDGER_TOPIC_PREFIX",
                prefix,
                "OPENLEDGER_PAYMENT_PROTOCOL_ADDRESS",
                TREASURY,
                "OPENLEDGER_CHECKPOINT_INTERVAL_MS",
                "500"),
            Optional.empty());
    PipelineApp.ensurePaymentTopics(config);
    return config;
  }

  static <T extends org.apache.avro.specific.SpecificRecord> void produce(
      String topicName, Topic topic, List<T> records) {
    var serde =
        new ConfluentAvroSerde<org.apache.avro.specific.SpecificRecord>(
            topic.withName(topicName),
            new SchemaRegistryClient(LocalStack.registryUrl()),
            org.apache.avro.specific.SpecificRecord.class);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (T r : records) {
        producer.send(new ProducerRecord<>(topicName, "k", serde.encode(r)));
      }
    }
  }

  /**
   * Reads committed batches until they pay every fee, then a few quiet polls (a duplicate shows).
   */
  static List<byte[]> readBatchesUntil(String topicName, String prefix, BigInteger fees) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, LocalStack.unique("verifier"));
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<byte[]> values = new ArrayList<>();
    BigInteger paid = BigInteger.ZERO;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topicName));
      // Longer than a Kafka producer's delivery timeout (120 s): a sink send the broker never
      // answers fails the job, which restarts and must still give exactly the same batches.
      long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
      int quiet = 0;
      while (System.nanoTime() < deadline && (paid.compareTo(fees) < 0 || quiet < 6)) {
        var records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> r : records) {
          values.add(r.value());
          paid =
              paid.add(
                  decode(Topics.PAYOUT_BATCHES, prefix, List.of(r.value()), PayoutBatch.class)
                      .get(0)
                      .getTotal()
                      .toBigIntegerExact());
        }
        quiet = records.isEmpty() && paid.compareTo(fees) >= 0 ? quiet + 1 : 0;
      }
    }
    if (paid.compareTo(fees) < 0) {
      // Say why, instead of a bare mismatch later: what was read, and what the job went through.
      throw new AssertionError(
          "the batches on "
              + topicName
              + " paid "
              + paid
              + " of "
              + fees
              + " wei within the deadline ("
              + values.size()
              + " batches: "
              + decode(Topics.PAYOUT_BATCHES, prefix, values, PayoutBatch.class).stream()
                  .map(b -> b.getWindowStart() + "-" + b.getWindowEnd() + "/" + b.getSubBatch())
                  .toList()
              + "); the Flink job's lifecycle (target/it-flink.log):\n"
              + ItLog.tailFrom(
                  "payment-it " + prefix,
                  "FAILED|RESTARTING|Exception|expired|declined|checkpoint",
                  40));
    }
    return values;
  }

  static <T extends org.apache.avro.specific.SpecificRecord> List<T> decode(
      Topic topic, String prefix, List<byte[]> values, Class<T> type) {
    var serde =
        new ConfluentAvroSerde<>(
            topic.withName(prefix + topic.name()),
            new SchemaRegistryClient(LocalStack.registryUrl()),
            type);
    return values.stream().map(serde::decode).toList();
  }

  private static List<PayoutAccrual> accruals(String prefix) {
    return decode(
        Topics.PAYOUT_ACCRUALS,
        prefix,
        AttributionJobIT.readCommitted(prefix + Topics.PAYOUT_ACCRUALS.name(), 1, 4),
        PayoutAccrual.class);
  }

  private static List<PayoutBatchLeaf> leaves(String prefix) {
    return decode(
        Topics.PAYOUT_BATCH_LEAVES,
        prefix,
        AttributionJobIT.readCommitted(prefix + Topics.PAYOUT_BATCH_LEAVES.name(), 1, 4),
        PayoutBatchLeaf.class);
  }
}
