package org.openledger.flink.bench;

import static org.openledger.flink.bench.AttributionBenchmark.at;
import static org.openledger.flink.bench.AttributionBenchmark.checkpointsOnDisk;
import static org.openledger.flink.bench.AttributionBenchmark.event;
import static org.openledger.flink.bench.AttributionBenchmark.seal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openledger.events.AttributionMethod;
import org.openledger.events.InferencePaid;
import org.openledger.events.ModelRegistered;
import org.openledger.events.ParamsChanged;
import org.openledger.flink.PipelineApp;
import org.openledger.flink.config.PipelineConfig;
import org.openledger.pipeline.AttributedContribution;
import org.openledger.pipeline.AttributionResult;
import org.openledger.pipeline.PayoutBatch;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;

/**
 * {@code bin/openledger bench payment [inferences contributors-per-inference payees]}: the payment
 * job (ledger at parallelism 1, i.e. one core) over a backlog of paid inferences and their
 * attribution results on the local Kafka, until every fee is in a committed batch. Prints accruals
 * per second, end to end through Kafka, registry and the exactly-once sinks.
 */
public final class PaymentBenchmark {

  private PaymentBenchmark() {}

  public static void main(String[] args) throws Exception {
    int inferences = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int perInference = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int payees = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
    String prefix = "bench-pay-" + Long.toString(System.nanoTime(), 36) + ".";
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("OPENLEDGER_TOPIC_PREFIX", prefix);
    env.putIfAbsent(
        "OPENLEDGER_PAYMENT_PROTOCOL_ADDRESS", "0x90f79bf6eb2c4f870365e785982e1f101e93b906");
    PipelineConfig config = PipelineConfig.load(env, Optional.empty());
    PipelineApp.ensurePaymentTopics(config);

    Random random = new Random(42);
    List<SpecificRecord> chain = new ArrayList<>();
    List<SpecificRecord> results = new ArrayList<>();
    chain.add(event(params()));
    chain.add(
        event(
            ModelRegistered.newBuilder()
                .setPosition(at(1, 1))
                .setModelId(1)
                .setOwner("0x00000000000000000000000000000000000000b1")
                .setDatanetIds(List.of(1L))
                .setMethod(AttributionMethod.EMBEDDING)
                .setName("bench")
                .build()));
    BigInteger fees = BigInteger.ZERO;
    int perBlock = 50;
    long block = 2;
    for (int i = 1; i <= inferences; i++) {
      if (i % perBlock == 0) {
        chain.add(seal(block++));
      }
      BigInteger fee = BigInteger.TEN.pow(15).add(BigInteger.valueOf(random.nextInt(1_000_000)));
      fees = fees.add(fee);
      chain.add(
          event(
              InferencePaid.newBuilder()
                  .setPosition(at(block, i % perBlock))
                  .setInferenceId(i)
                  .setModelId(1)
                  .setPayer("0x00000000000000000000000000000000000000a1")
                  .setFee(new BigDecimal(fee))
                  .setQueryHash("0x" + "00".repeat(32))
                  .setQueryUri("file:///q")
                  .build()));
      List<AttributedContribution> contributions = new ArrayList<>();
      for (int c = 0; c < perInference; c++) {
        contributions.add(
            AttributedContribution.newBuilder()
                .setContributionId(random.nextInt(1_000_000))
                .setContributor(String.format("0x%040x", 1 + random.nextInt(payees)))
                .setRank(c + 1)
                .setScorePpm(900_000 - 1_000L * c)
                .setWeight(900_000 - 1_000L * c)
                .build());
      }
      results.add(
          AttributionResult.newBuilder()
              .setInferenceId(i)
              .setPosition(at(block, i % perBlock))
              .setModelId(1)
              .setEncoderId("hashing-ngram")
              .setEncoderVersion("1")
              .setParamsVersion(1)
              .setContributions(contributions)
              .setUnattributed(false)
              .build());
    }
    chain.add(seal(block + 100));
    produce(config, Topics.CHAIN_EVENTS, chain);
    produce(config, Topics.ATTRIBUTION_RESULTS, results);

    StreamExecutionEnvironment flink =
        StreamExecutionEnvironment.getExecutionEnvironment(checkpointsOnDisk());
    // The app's own checkpointing, parallelism (1 embedded) and max parallelism.
    PipelineApp.configure(flink, config);
    PipelineApp.paymentJob(config).build(flink);
    long cpuBefore = processCpuNanos();
    long started = System.nanoTime();
    JobClient job = flink.executeAsync("payment benchmark");
    Progress progress;
    Map<String, Long> cpu;
    long processCpu;
    try {
      progress = awaitBatches(config, fees);
    } finally {
      cpu = threadCpuSeconds();
      processCpu = processCpuNanos() - cpuBefore;
      job.cancel().get();
    }
    double seconds = (progress.lastNanos() - started) / 1e9;
    int batches = progress.batches();
    long accruals = (long) inferences * (perInference + 2); // contributors + owner + protocol
    // The steady rate leaves out the mini-cluster's start and the first checkpoint: the fees of
    // the batches committed from the first commit on, over the time from it to the last.
    double steadySeconds = (progress.lastNanos() - progress.firstNanos()) / 1e9;
    double steadyShare =
        new BigDecimal(fees.subtract(progress.paidAtFirst()))
            .divide(new BigDecimal(fees), java.math.MathContext.DECIMAL64)
            .doubleValue();
    System.out.printf(
        "payment job: %d inferences x %d contributors over %d payees -> %d accruals, %d batches in"
            + " %.1f s (job start to the last batch committed)%n"
            + "  %.0f accruals/s, %.0f inferences/s (ledger at parallelism 1: one core)%n"
            + "  steady: %.0f accruals/s from the first committed batch (at %.1f s) to the last%n",
        inferences,
        perInference,
        payees,
        accruals,
        batches,
        seconds,
        accruals / seconds,
        inferences / seconds,
        accruals * steadyShare / steadySeconds,
        (progress.firstNanos() - started) / 1e9);
    // On a shared machine wall time measures the share of the cores the job got; CPU time per
    // accrual measures the job. The ledger task (operator + its chained sinks' Avro and Kafka
    // producer calls) is the one-core part.
    long ledger = cpu.getOrDefault("ledger", 0L);
    System.out.printf(
        "  CPU: ledger task %.1f s -> %.0f accruals per ledger-CPU-second; whole process %.1f s"
            + " -> %.0f accruals per CPU-second; by thread group (ms): %s%n",
        ledger / 1e9,
        accruals / (ledger / 1e9),
        processCpu / 1e9,
        accruals / (processCpu / 1e9),
        cpu.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue() / 1_000_000)
            .sorted()
            .toList());
    System.exit(0);
  }

  private static long processCpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun
        ? sun.getProcessCpuTime()
        : -1;
  }

  /** CPU nanoseconds of the job's live threads by group (ledger task, sources, producers...). */
  private static Map<String, Long> threadCpuSeconds() {
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    Map<String, Long> out = new java.util.TreeMap<>();
    for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      String name = info.getThreadName();
      String group =
          name.startsWith("split fees")
              ? "ledger"
              : name.startsWith("Source:")
                  ? "sources"
                  : name.startsWith("AsyncOperations")
                      ? "checkpoint-async"
                      : name.startsWith("kafka-producer-network-thread")
                          ? "kafka-producer-io"
                          : name.startsWith("main") ? "main" : "other";
      long nanos = mx.getThreadCpuTime(info.getThreadId());
      if (nanos > 0) {
        out.merge(group, nanos, Long::sum);
      }
    }
    return out;
  }

  private static ParamsChanged params() {
    return ParamsChanged.newBuilder()
        .setPosition(at(1, 0))
        .setVersion(1)
        .setContributorBps(7000)
        .setOwnerBps(2000)
        .setProtocolBps(1000)
        .setTopK(5)
        .setSimilarityThresholdPpm(100_000)
        .setDuplicateBoundPpm(950_000)
        .setMinPayout(BigDecimal.ONE)
        .setSettlementWindowBlocks(20)
        .setMaxPayeesPerBatch(200)
        .build();
  }

  /** When the first and the last batch were read, what the first commit had paid, how many. */
  private record Progress(long firstNanos, BigInteger paidAtFirst, long lastNanos, int batches) {}

  private static Progress awaitBatches(PipelineConfig config, BigInteger fees) {
    String topic = config.topic(Topics.PAYOUT_BATCHES);
    var serde =
        new ConfluentAvroSerde<>(
            Topics.PAYOUT_BATCHES.withName(topic),
            new SchemaRegistryClient(config.registryUrl()),
            PayoutBatch.class);
    Properties p = new Properties();
    p.put("bootstrap.servers", config.kafkaBootstrap());
    p.put("group.id", "bench-" + System.nanoTime());
    p.put("isolation.level", "read_committed");
    p.put("auto.offset.reset", "earliest");
    BigInteger paid = BigInteger.ZERO;
    int batches = 0;
    long first = 0;
    BigInteger paidAtFirst = BigInteger.ZERO;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (paid.compareTo(fees) < 0 && System.nanoTime() < deadline) {
        var polled = consumer.poll(Duration.ofMillis(50));
        for (ConsumerRecord<byte[], byte[]> r : polled) {
          paid = paid.add(serde.decode(r.value()).getTotal().toBigIntegerExact());
          batches++;
        }
        if (first == 0 && !polled.isEmpty()) {
          first = System.nanoTime();
          paidAtFirst = paid;
        }
      }
    }
    if (!paid.equals(fees)) {
      throw new IllegalStateException("batches paid " + paid + " of " + fees);
    }
    return new Progress(first, paidAtFirst, System.nanoTime(), batches);
  }

  private static void produce(PipelineConfig config, Topic declared, List<SpecificRecord> records) {
    String topic = config.topic(declared);
    var serde =
        new ConfluentAvroSerde<SpecificRecord>(
            declared.withName(topic),
            new SchemaRegistryClient(config.registryUrl()),
            SpecificRecord.class);
    Properties p = new Properties();
    p.put("bootstrap.servers", config.kafkaBootstrap());
    p.put("linger.ms", 5);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      records.forEach(r -> producer.send(new ProducerRecord<>(topic, "k", serde.encode(r))));
    }
  }
}
