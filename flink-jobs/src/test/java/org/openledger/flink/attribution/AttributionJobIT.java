package org.openledger.flink.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import org.junit.jupiter.api.io.TempDir;
import org.openledger.events.ChainEvent;
import org.openledger.events.ShareRule;
import org.openledger.flink.PipelineApp;
import org.openledger.flink.config.PipelineConfig;
import org.openledger.pipeline.AttributedContribution;
import org.openledger.pipeline.AttributionResult;
import org.openledger.pipeline.DeadLetter;
import org.openledger.pipeline.SlashProposal;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.LocalStack;

/**
 * The attribution job on real Kafka, registry and sidecar: an ordered {@code chain.events} scenario
 * with planted queries, bad content, a duplicate, a slash and an unknown model, run twice from
 * offset 0 into separate outputs.
 */
public class AttributionJobIT {

  @TempDir Path dir;

  @Test
  void shouldAttributePlantedQueriesRejectBadInputAndReplayByteForByte() throws Exception {
    List<ChainEvent> scenario = scenario(new ChainEvents(dir));
    String first = LocalStack.unique("attr-a") + ".";
    String second = LocalStack.unique("attr-b") + ".";

    List<byte[]> results = run(first, scenario, 6, dir);
    List<AttributionResult> decoded = decode(first, results);

    assertThat(decoded)
        .extracting(AttributionResult::getInferenceId)
        .containsExactly(100L, 101L, 102L, 103L, 104L, 105L);
    assertThat(top(decoded.get(0))).isEqualTo(2L);
    assertThat(top(decoded.get(1))).isEqualTo(6L);
    assertThat(ids(decoded.get(2))).doesNotContain(3L); // slashed at block 9
    assertThat(decoded.get(3).getUnattributed()).isTrue(); // unknown model
    assertThat(ids(decoded.get(4))).first().isEqualTo(1L); // never 10, its duplicate
    assertThat(ids(decoded.get(4))).doesNotContain(10L);
    assertThat(decoded.subList(0, 5))
        .allSatisfy(
            r -> {
              assertThat(r.getParamsVersion()).isEqualTo(1L);
              assertThat(r.getEncoderId()).isEqualTo("hashing-ngram-v2");
              // LINEAR: each weight is the score in ppm
              assertThat(r.getContributions())
                  .allSatisfy(a -> assertThat(a.getWeight()).isEqualTo(a.getScorePpm()));
            });
    // From block 11 on TOP1: the same ranking as 104, rank 1 weighs 1, the rest 0.
    AttributionResult top1 = decoded.get(5);
    assertThat(top1.getParamsVersion()).isEqualTo(2L);
    assertThat(ids(top1)).isEqualTo(ids(decoded.get(4)));
    assertThat(top1.getContributions())
        .extracting(AttributedContribution::getWeight)
        .first()
        .isEqualTo(1L);
    assertThat(top1.getContributions().subList(1, top1.getContributions().size()))
        .allSatisfy(a -> assertThat(a.getWeight()).isZero());
    List<DeadLetter> dead = deadLetters(first, 4);
    assertThat(dead)
        .extracting(d -> d.getStage() + ": " + d.getReason())
        .anySatisfy(
            r -> assertThat(r).startsWith("content-fetch").contains("content hash mismatch"))
        .anySatisfy( // outside the content root: denied, whether or not the file exists
            r ->
                assertThat(r)
                    .startsWith("content-fetch")
                    .contains("uri denied by fetch policy: path not allowed"))
        .anySatisfy(r -> assertThat(r).startsWith("content-fetch").contains("is empty"))
        .anySatisfy(r -> assertThat(r).startsWith("attribution").contains("unknown model 99"));

    assertThat(dead).hasSize(4);
    var proposals =
        new ConfluentAvroSerde<>(
            Topics.SLASH_PROPOSALS.withName(first + Topics.SLASH_PROPOSALS.name()),
            new SchemaRegistryClient(LocalStack.registryUrl()),
            SlashProposal.class);
    assertThat(readCommitted(first + Topics.SLASH_PROPOSALS.name(), 1))
        .map(proposals::decode)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getContributionId()).isEqualTo(10L);
              assertThat(p.getDuplicateOf()).isEqualTo(1L);
              assertThat(p.getSimilarityPpm()).isGreaterThanOrEqualTo(p.getDuplicateBoundPpm());
            });

    List<byte[]> replay = run(second, scenario, 6, dir);
    assertThat(replay).hasSameSizeAs(results);
    for (int i = 0; i < results.size(); i++) {
      assertThat(body(replay.get(i)))
          .as("result %d, byte for byte", i)
          .isEqualTo(body(results.get(i)));
    }
  }

  private static List<ChainEvent> scenario(ChainEvents c) throws Exception {
    List<String> f = ChainEvents.fortunes();
    List<ChainEvent> events = new ArrayList<>();
    events.add(ChainEvents.params(1, 1, 3, 200_000, 900_000));
    events.add(ChainEvents.seal(1));
    for (int i = 0; i < f.size(); i++) {
      events.add(c.contribution(2 + i, 0, i + 1, f.get(i), f.get(i)));
    }
    events.add(ChainEvents.seal(7));
    events.add(c.contribution(8, 0, 7, "tampered words here", "the original words"));
    events.add(ChainEvents.missing(8, 1, 8, Path.of("/nonexistent")));
    events.add(c.contribution(8, 2, 9, "   ", "   "));
    events.add(
        c.contribution(8, 3, 10, "a stitch in time saves nine!", "a stitch in time saves nine!"));
    events.add(ChainEvents.seal(8));
    events.add(ChainEvents.model(9, 1, 1));
    events.add(ChainEvents.slash(9, 3));
    events.add(ChainEvents.seal(9));
    events.add(c.inference(10, 0, 100, 1, "the early bird catches a worm"));
    events.add(c.inference(10, 1, 101, 1, "too many cooks spoil broth"));
    events.add(c.inference(10, 2, 102, 1, "fortune favours the bold"));
    events.add(c.inference(10, 3, 103, 99, "a stitch in time"));
    events.add(c.inference(10, 4, 104, 1, "a stitch in time saves nine"));
    events.add(ChainEvents.seal(10));
    // Governance switches the share rule to TOP1 at block 11: 104's query again, now
    // winner-takes-all.
    events.add(ChainEvents.params(11, 2, 3, 200_000, 900_000, ShareRule.TOP1, 0));
    events.add(c.inference(11, 1, 105, 1, "a stitch in time saves nine"));
    events.add(ChainEvents.seal(11));
    events.add(c.inference(12, 0, 106, 1, "not sealed yet: no result"));
    return events;
  }

  private static long top(AttributionResult r) {
    return r.getContributions().get(0).getContributionId();
  }

  private static List<Long> ids(AttributionResult r) {
    return r.getContributions().stream().map(AttributedContribution::getContributionId).toList();
  }

  public static byte[] body(byte[] framed) {
    return java.util.Arrays.copyOfRange(framed, 5, framed.length); // past magic byte + schema id
  }

  /**
   * Runs the job over the scenario until {@code expected} results are committed; content is read
   * from files under {@code content} only.
   */
  static List<byte[]> run(String prefix, List<ChainEvent> scenario, int expected, Path content)
      throws Exception {
    return run(config(prefix, content), scenario, expected);
  }

  /** As above with a config of the caller's (e.g. another sidecar). */
  static List<byte[]> run(PipelineConfig config, List<ChainEvent> scenario, int expected)
      throws Exception {
    String prefix = config.topicPrefix();
    produce(config.topic(Topics.CHAIN_EVENTS), scenario);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.enableCheckpointing(config.checkpointIntervalMs());
    PipelineApp.attributionJob(config).build(env);
    JobClient job = env.executeAsync("attribution-it " + prefix);
    try {
      return readCommitted(config.topic(Topics.ATTRIBUTION_RESULTS), expected);
    } finally {
      job.cancel().get();
    }
  }

  /**
   * The pipeline's config on the local stack with every topic behind {@code prefix}, fetching
   * file:// content under {@code content} only (the production policy with a content root).
   */
  static PipelineConfig config(String prefix, Path content) throws Exception {
    return config(prefix, content, LocalStack.sidecarFlightUri());
  }

  /** As above, scoring on the sidecar at {@code sidecar}. */
  static PipelineConfig config(String prefix, Path content, java.net.URI sidecar) throws Exception {
    PipelineConfig config =
        PipelineConfig.load(
            Map.of(
                "OPENLEDGER_KAFKA_BOOTSTRAP", LocalStack.kafkaBootstrap(),
                "OPENLEDGER_REGISTRY_URL", LocalStack.registryUrl().toString(),
                "OPENLEDGER_SIDECAR_FLIGHT_URI", sidecar.toString(),
                "OPENLEDGER_TOPIC_PREFIX", prefix,
                "OPENLEDGER_CHECKPOINT_INTERVAL_MS", "500",
                "OPENLEDGER_CONTENT_FETCH_SCHEMES", "file",
                "OPENLEDGER_CONTENT_FETCH_ROOT", content.toString()),
            Optional.empty());
    PipelineApp.ensureAttributionTopics(config);
    return config;
  }

  public static void produce(String topic, List<ChainEvent> events) {
    var serde =
        new ConfluentAvroSerde<>(
            Topics.CHAIN_EVENTS.withName(topic),
            new SchemaRegistryClient(LocalStack.registryUrl()),
            ChainEvent.class);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (ChainEvent e : events) {
        producer.send(new ProducerRecord<>(topic, "k", serde.encode(e)));
      }
    }
  }

  static List<AttributionResult> decode(String prefix, List<byte[]> values) {
    var serde =
        new ConfluentAvroSerde<>(
            Topics.ATTRIBUTION_RESULTS.withName(prefix + Topics.ATTRIBUTION_RESULTS.name()),
            new SchemaRegistryClient(LocalStack.registryUrl()),
            AttributionResult.class);
    return values.stream().map(serde::decode).toList();
  }

  private static List<DeadLetter> deadLetters(String prefix, int expected) {
    var serde =
        new ConfluentAvroSerde<>(
            Topics.DEAD_LETTERS.withName(prefix + Topics.DEAD_LETTERS.name()),
            new SchemaRegistryClient(LocalStack.registryUrl()),
            DeadLetter.class);
    return readCommitted(prefix + Topics.DEAD_LETTERS.name(), expected).stream()
        .map(serde::decode)
        .toList();
  }

  /** Reads until {@code expected} records and then a few quiet polls, so a duplicate would show. */
  static List<byte[]> readCommitted(String topic, int expected) {
    return readCommitted(topic, expected, 6);
  }

  /** As above, with {@code quietPolls} empty polls after the count (0: return at the count). */
  public static List<byte[]> readCommitted(String topic, int expected, int quietPolls) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, LocalStack.unique("verifier"));
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<byte[]> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      int quiet = 0;
      while (System.nanoTime() < deadline && (values.size() < expected || quiet < quietPolls)) {
        var records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> r : records) {
          values.add(r.value());
        }
        quiet = records.isEmpty() && values.size() >= expected ? quiet + 1 : 0;
      }
    }
    return values;
  }
}
