package org.openledger.flink.bench;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
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
import org.openledger.events.BlockSealed;
import org.openledger.events.ChainEvent;
import org.openledger.events.ChainPosition;
import org.openledger.events.DataContributed;
import org.openledger.events.InferencePaid;
import org.openledger.events.ModelRegistered;
import org.openledger.events.ParamsChanged;
import org.openledger.flink.PipelineApp;
import org.openledger.flink.config.PipelineConfig;
import org.openledger.flink.domain.Keccak;
import org.openledger.flink.sidecar.ScoreQuery;
import org.openledger.flink.sidecar.SidecarClient;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;

/**
 * {@code bin/openledger bench attribution}: the attribution job against the sidecar standalone on
 * the same index in the same run. Phase 1 replays a backlog (attributions/s end to end); phase 2
 * feeds blocks at a steady rate and measures, per inference, the time from its block's seal being
 * produced to its result being readable (read_committed). Prints the figures, with the job's seal
 * batching ({@code OPENLEDGER_ATTRIBUTION_BATCH_*}): one inference per block and max-inferences 1
 * is the dev node's shape scored as before batching.
 */
public final class AttributionBenchmark {

  private static final String[] WORDS =
      ("sea mountain river city forest desert storm light shadow stone gold silver wind fire water"
              + " night morning star moon sun road home friend stranger song book letter truth"
              + " lie fortune luck wisdom fool king queen child old young time money love war peace")
          .split(" ");

  private AttributionBenchmark() {}

  public static void main(String[] args) throws Exception {
    int contributions = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    int inferences = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
    int perBlock = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    int blocks = args.length > 3 ? Integer.parseInt(args[3]) : 40;
    long intervalMs = args.length > 4 ? Long.parseLong(args[4]) : 250;
    Path dir = Files.createTempDirectory("attribution-bench");
    Random random = new Random(42);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < contributions; i++) {
      texts.add(sentence(random, 12) + " #" + i);
    }
    String prefix = "bench-" + Long.toString(System.nanoTime(), 36) + ".";
    PipelineConfig config =
        PipelineConfig.load(
            merge(
                System.getenv(),
                Map.of(
                    "OPENLEDGER_TOPIC_PREFIX",
                    prefix,
                    // the benchmark's content files: file:// under their folder only
                    "OPENLEDGER_CONTENT_FETCH_SCHEMES",
                    "file",
                    "OPENLEDGER_CONTENT_FETCH_ROOT",
                    dir.toString())),
            Optional.empty());
    PipelineApp.ensureAttributionTopics(config);
    Producer producer = new Producer(config);
    List<ChainEvent> head = new ArrayList<>();
    head.add(
        event(
            ParamsChanged.newBuilder()
                .setPosition(at(1, 0))
                .setVersion(1)
                .setContributorBps(7000)
                .setOwnerBps(2000)
                .setProtocolBps(1000)
                .setTopK(5)
                .setSimilarityThresholdPpm(100_000)
                .setDuplicateBoundPpm(999_999)
                .setMinPayout(BigDecimal.ONE)
                .setSettlementWindowBlocks(20)
                .setMaxPayeesPerBatch(200)
                .build()));
    for (int i = 0; i < contributions; i++) {
      head.add(event(contribution(dir, 2 + i / 500, i % 500, i + 1, texts.get(i))));
    }
    long block = 3 + contributions / 500;
    head.add(
        event(
            ModelRegistered.newBuilder()
                .setPosition(at(block, 0))
                .setModelId(1)
                .setOwner("0x00000000000000000000000000000000000000b1")
                .setDatanetIds(List.of(1L))
                .setMethod(AttributionMethod.EMBEDDING)
                .setName("bench")
                .build()));
    head.add(seal(block));
    producer.send(head);

    // Phase 1: a backlog of inferences, all produced before the job starts.
    List<String> queries = new ArrayList<>();
    List<ChainEvent> backlog = new ArrayList<>();
    long id = 1;
    for (int i = 0; i < inferences; i++) {
      if (i % perBlock == 0 && i > 0) {
        backlog.add(seal(++block));
      }
      String query = perturb(random, texts.get(random.nextInt(contributions)));
      queries.add(query);
      backlog.add(event(inference(dir, block + 1, i % perBlock, id++, query)));
    }
    backlog.add(seal(++block));
    producer.send(backlog);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(checkpointsOnDisk());
    // The app's own checkpointing, parallelism (1 embedded) and max parallelism.
    PipelineApp.configure(env, config);
    PipelineApp.attributionJob(config).build(env);
    Results results = new Results(config);
    long started = System.nanoTime();
    JobClient job = env.executeAsync("attribution benchmark");
    try {
      results.await(inferences);
      double firstToLast = (results.lastNanos - results.firstNanos) / 1e9;
      double total = (results.lastNanos - started) / 1e9;

      // Phase 2: steady feed, latency from a block's seal to its results being readable.
      long[] sealedAt = new long[blocks];
      Map<Long, Integer> blockOfInference = new HashMap<>();
      for (int b = 0; b < blocks; b++) {
        List<ChainEvent> one = new ArrayList<>();
        block++;
        for (int q = 0; q < perBlock; q++) {
          blockOfInference.put(id, b);
          one.add(
              event(
                  inference(
                      dir,
                      block,
                      q,
                      id++,
                      perturb(random, texts.get(random.nextInt(contributions))))));
        }
        one.add(seal(block));
        producer.send(one);
        sealedAt[b] = System.nanoTime();
        Thread.sleep(intervalMs);
      }
      List<Double> latencies =
          results.latencies(inferences + blocks * perBlock, blockOfInference, sealedAt);

      // The sidecar alone, same index, same queries, same client: in calls of one block's
      // inferences (what the job did per seal before batching), and in calls of a full batch.
      double standalone = standalone(config, queries, perBlock);
      int batch = Math.max(perBlock, Math.min(config.attributionBatchMaxInferences(), inferences));
      double standaloneBatched = standalone(config, queries, batch);
      double endToEnd = inferences / firstToLast;
      System.out.printf(
          "%nattribution benchmark (contributions %d, inferences %d, %d per block, checkpoint %d ms,"
              + " batch max %d inferences / %d ms)%n",
          contributions,
          inferences,
          perBlock,
          config.checkpointIntervalMs(),
          config.attributionBatchMaxInferences(),
          config.attributionBatchMaxDelayMs());
      System.out.printf(
          "  job end to end      %8.0f attributions/s (first to last result; %.1f s incl. start)%n",
          endToEnd, total);
      System.out.printf(
          "  sidecar standalone  %8.0f queries/s (same index, %d queries per call)%n",
          standalone, perBlock);
      System.out.printf(
          "  sidecar standalone  %8.0f queries/s (same index, %d queries per call)%n",
          standaloneBatched, batch);
      System.out.printf(
          "  ratio               %8.2f of the first, %.2f of the second (goal >= 0.5)%n",
          endToEnd / standalone, endToEnd / standaloneBatched);
      System.out.printf(
          "  latency seal->result p50 %.0f ms, p99 %.0f ms over %d blocks every %d ms"
              + " (goal <= checkpoint + 2000 ms)%n",
          percentile(latencies, 0.5), percentile(latencies, 0.99), blocks, intervalMs);
    } finally {
      job.cancel().get();
      results.close();
      producer.close();
    }
  }

  private static double standalone(PipelineConfig config, List<String> queries, int batch)
      throws Exception {
    try (RootAllocator allocator = new RootAllocator();
        SidecarClient client =
            new SidecarClient(
                allocator,
                config.sidecarFlightUri(),
                SidecarClient.Options.defaults().withTimeout(Duration.ofSeconds(60)),
                config.sidecarToken())) {
      List<ScoreQuery> all = new ArrayList<>();
      // Small calls are slow: enough of them for a steady rate, not the whole backlog.
      int count = Math.min(queries.size(), Math.max(1_000, 50 * batch));
      for (int i = 0; i < count; i++) {
        all.add(ScoreQuery.text(i + 1, Long.MAX_VALUE / 2, queries.get(i)));
      }
      long t = System.nanoTime();
      for (int i = 0; i < all.size(); i += batch) {
        client.score(1, 5, 0.1, all.subList(i, Math.min(all.size(), i + batch)));
      }
      return all.size() / ((System.nanoTime() - t) / 1e9);
    }
  }

  private static double percentile(List<Double> values, double p) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted.length == 0
        ? Double.NaN
        : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }

  private static String sentence(Random random, int words) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < words; i++) {
      s.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    return s.toString();
  }

  /** A query taken from a contribution with a few words dropped and one added. */
  private static String perturb(Random random, String text) {
    List<String> words = new ArrayList<>(Arrays.asList(text.split(" ")));
    for (int i = 0; i < 2 && words.size() > 3; i++) {
      words.remove(random.nextInt(words.size()));
    }
    words.add(WORDS[random.nextInt(WORDS.length)]);
    return String.join(" ", words);
  }

  private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
    Map<String, String> out = new HashMap<>(a);
    out.putAll(b);
    return out;
  }

  static ChainPosition at(long block, int logIndex) {
    return ChainPosition.newBuilder()
        .setChainId(1337)
        .setBlockNumber(block)
        .setBlockHash(String.format("0x%064x", block))
        .setBlockTimestamp(1_700_000_000L + block)
        .setTxHash(String.format("0x%064x", block * 100_000 + logIndex))
        .setLogIndex(logIndex)
        .build();
  }

  static ChainEvent event(Object e) {
    return ChainEvent.newBuilder().setEvent(e).build();
  }

  static ChainEvent seal(long block) {
    return event(BlockSealed.newBuilder().setPosition(at(block, -1)).build());
  }

  private static DataContributed contribution(
      Path dir, long block, int logIndex, long id, String text) throws Exception {
    return DataContributed.newBuilder()
        .setPosition(at(block, logIndex))
        .setContributionId(id)
        .setDatanetId(1)
        .setContributor(String.format("0x%040x", 0xc000 + id % 50))
        .setContentHash(Keccak.hex(text.getBytes(StandardCharsets.UTF_8)))
        .setContentUri(write(dir, "c" + id, text))
        .setStake(BigDecimal.TEN)
        .build();
  }

  private static InferencePaid inference(Path dir, long block, int logIndex, long id, String query)
      throws Exception {
    return InferencePaid.newBuilder()
        .setPosition(at(block, logIndex))
        .setInferenceId(id)
        .setModelId(1)
        .setPayer("0x00000000000000000000000000000000000000a1")
        .setFee(new BigDecimal(1_000_000))
        .setQueryHash(Keccak.hex(query.getBytes(StandardCharsets.UTF_8)))
        .setQueryUri(write(dir, "q" + id, query))
        .build();
  }

  private static String write(Path dir, String name, String text) throws Exception {
    Path file = dir.resolve(name + ".txt");
    Files.writeString(file, text);
    return file.toUri().toString();
  }

  /** Sends chain events to the job's input topic. */
  private static final class Producer implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final ConfluentAvroSerde<ChainEvent> serde;
    private final String topic;

    Producer(PipelineConfig config) {
      Properties p = new Properties();
      p.put("bootstrap.servers", config.kafkaBootstrap());
      p.put("linger.ms", 5);
      producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
      topic = config.topic(Topics.CHAIN_EVENTS);
      serde =
          new ConfluentAvroSerde<>(
              Topics.CHAIN_EVENTS.withName(topic),
              new SchemaRegistryClient(config.registryUrl()),
              ChainEvent.class);
    }

    void send(List<ChainEvent> events) {
      events.forEach(e -> producer.send(new ProducerRecord<>(topic, "k", serde.encode(e))));
      producer.flush();
    }

    @Override
    public void close() {
      producer.close();
    }
  }

  /**
   * Reads results (read_committed) on its own thread from the start, noting when each inference's
   * result became readable, so latencies are not inflated by the producer's pace.
   */
  private static final class Results implements AutoCloseable {
    private final Map<Long, Long> seenAt = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean running = true;
    volatile long firstNanos;
    volatile long lastNanos;

    Results(PipelineConfig config) {
      Properties p = new Properties();
      p.put("bootstrap.servers", config.kafkaBootstrap());
      p.put("group.id", "bench-" + System.nanoTime());
      p.put("isolation.level", "read_committed");
      p.put("auto.offset.reset", "earliest");
      String topic = config.topic(Topics.ATTRIBUTION_RESULTS);
      var serde =
          new ConfluentAvroSerde<>(
              Topics.ATTRIBUTION_RESULTS.withName(topic),
              new SchemaRegistryClient(config.registryUrl()),
              org.openledger.pipeline.AttributionResult.class);
      reader =
          new Thread(
              () -> {
                try (KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(
                        p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                  consumer.subscribe(List.of(topic));
                  while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                      long now = System.nanoTime();
                      if (seenAt.isEmpty()) {
                        firstNanos = now;
                      }
                      seenAt.put(serde.decode(r.value()).getInferenceId(), now);
                      lastNanos = now;
                    }
                  }
                }
              },
              "results-reader");
      reader.start();
    }

    void await(int count) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (seenAt.size() < count && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      if (seenAt.size() < count) {
        throw new IllegalStateException(
            "only " + seenAt.size() + " of " + count + " results in 10 minutes");
      }
    }

    List<Double> latencies(int count, Map<Long, Integer> blockOf, long[] sealedAt)
        throws InterruptedException {
      await(count);
      List<Double> out = new ArrayList<>();
      blockOf.forEach((inference, b) -> out.add((seenAt.get(inference) - sealedAt[b]) / 1e6));
      return out;
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      reader.join();
    }
  }

  /** Checkpoints in a temporary folder: a backlog's state outgrows in-memory checkpoints. */
  static org.apache.flink.configuration.Configuration checkpointsOnDisk()
      throws java.io.IOException {
    var conf = new org.apache.flink.configuration.Configuration();
    conf.set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(
        org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        java.nio.file.Files.createTempDirectory("bench-checkpoints").toUri().toString());
    return conf;
  }
}
