package org.openledger.flink.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.openledger.config.ConfigKey;
import org.openledger.config.ConfigSource;
import org.openledger.flink.domain.FetchPolicy;

/**
 * The validated configuration of the Flink pipeline app ({@link org.openledger.flink.PipelineApp}):
 * where Kafka is, where the Web UI binds, how often it checkpoints. Operators never read it; the
 * app hands them what they need.
 */
public record PipelineConfig(
    boolean embedded,
    Set<Job> jobs,
    java.util.OptionalInt parallelism,
    String kafkaBootstrap,
    String restAddress,
    int restPort,
    String metricsPort,
    long checkpointIntervalMs,
    long kafkaTransactionTimeoutMs,
    String relayInputTopic,
    String relayOutputTopic,
    java.net.URI registryUrl,
    java.net.URI sidecarFlightUri,
    String sidecarToken,
    String topicPrefix,
    String encoder,
    Set<String> encoders,
    long fetchTimeoutMs,
    FetchPolicy fetchPolicy,
    int fetchMaxBytes,
    int fetchConcurrency,
    long fetchBackoffMinMs,
    long fetchBackoffMaxMs,
    long fetchGiveUpAfterMs,
    long retractWindowBlocks,
    int attributionBatchMaxInferences,
    long attributionBatchMaxDelayMs,
    String protocolAddress,
    long paymentFinalityBlocks,
    String checkpointDir) {

  /** The jobs one submission of {@link org.openledger.flink.PipelineApp} can run. */
  public enum Job {
    RELAY,
    ATTRIBUTION,
    PAYMENT;

    /** Its name in {@code pipeline.jobs}. */
    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public PipelineConfig {
    jobs = Set.copyOf(jobs);
    encoders = Set.copyOf(encoders);
    java.util.Objects.requireNonNull(parallelism, "parallelism");
  }

  /** Whether this submission runs {@code job}. */
  public boolean runs(Job job) {
    return jobs.contains(job);
  }

  /**
   * The Flink job's name: "openledger pipeline" with every job, else "openledger " and the jobs it
   * runs (e.g. "openledger payment"), so two submissions from one jar tell apart in the Web UI.
   */
  public String jobName() {
    if (jobs.size() == Job.values().length) {
      return "openledger pipeline";
    }
    return "openledger "
        + String.join(
            " + ",
            java.util.Arrays.stream(Job.values()).filter(jobs::contains).map(Job::key).toList());
  }

  /** How the attribution job (and replay) fetches content: the configured policy and limits. */
  public org.openledger.flink.AttributionJob.Fetching fetching() {
    return new org.openledger.flink.AttributionJob.Fetching(
        fetchPolicy,
        java.time.Duration.ofMillis(fetchTimeoutMs),
        fetchMaxBytes,
        fetchConcurrency,
        java.time.Duration.ofMillis(fetchBackoffMinMs),
        java.time.Duration.ofMillis(fetchBackoffMaxMs),
        java.time.Duration.ofMillis(fetchGiveUpAfterMs));
  }

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
  public static final ConfigKey<Set<Job>> JOBS =
      new ConfigKey<>(
          "pipeline.jobs",
          "relay,attribution,payment",
          "the jobs this submission runs, comma-separated, as one Flink job (named 'openledger"
              + " pipeline' with all three, else e.g. 'openledger payment'): a cluster submits"
              + " attribution and payment as two jobs from the same jar",
          PipelineConfig::jobs,
          s -> !s.isEmpty(),
          "must be a non-empty comma-separated subset of relay, attribution, payment");

  /** The most {@code flink.parallelism} may ask for: the jobs' max parallelism (key groups). */
  public static final int MAX_PARALLELISM = 128;

  public static final ConfigKey<Long> PARALLELISM =
      new ConfigKey<>(
          "flink.parallelism",
          "1",
          "parallelism of the keyed operators (the payment ledger spreads its chains over it;"
              + " sources and order-keeping sinks stay at 1). Embedded: this value. Cluster: the"
              + " submitter's -p (else the cluster's parallelism.default) unless this key is set in"
              + " the environment or the file, which then overrides -p",
          s -> Long.valueOf(s.trim()),
          v -> v >= 1 && v <= MAX_PARALLELISM,
          "must be an integer from 1 to " + MAX_PARALLELISM);
  public static final ConfigKey<String> KAFKA_BOOTSTRAP =
      ConfigKey.string(
          "kafka.bootstrap", "127.0.0.1:9092", "Kafka bootstrap servers, host:port[,...]");
  public static final ConfigKey<String> REST_ADDRESS =
      ConfigKey.string(
          "flink.rest.address", "127.0.0.1", "address the Flink Web UI and REST API bind");
  public static final ConfigKey<Integer> REST_PORT =
      ConfigKey.port("flink.rest.port", 8081, "port of the Flink Web UI and REST API");
  public static final ConfigKey<String> METRICS_PORT =
      new ConfigKey<>(
          "flink.metrics.port",
          "9249",
          "port (or range, e.g. 9250-9260) of the embedded mini-cluster's Prometheus /metrics on"
              + " the REST address; the cluster sets its own metrics.reporter.prom.port",
          String::trim,
          s -> s.matches("\\d{1,5}(-\\d{1,5})?"),
          "must be a port or a range like 9250-9260");
  public static final ConfigKey<Long> CHECKPOINT_INTERVAL_MS =
      ConfigKey.atLeast(
          "checkpoint.interval.ms",
          1000,
          100,
          "checkpoint interval; exactly-once output commits on it");
  // A transaction is pre-committed with its checkpoint and committed only after the checkpoint
  // completes (or, after a crash, when the job restores it). If the broker times it out first, it
  // aborts it, and its records are lost while the checkpointed state says they were sent: the
  // timeout must outlast a checkpoint plus the longest failover (chaos: a hung sidecar, a Kafka
  // restart on 2 busy cores). Hence the broker's maximum (bin/stack/kafka-server.properties).
  public static final ConfigKey<Long> KAFKA_TRANSACTION_TIMEOUT_MS =
      ConfigKey.atLeast(
          "kafka.transaction.timeout.ms",
          900_000,
          1000,
          "transaction timeout of the exactly-once Kafka sinks: longer than a checkpoint plus the"
              + " longest failover, at most the broker's transaction.max.timeout.ms");
  public static final ConfigKey<String> RELAY_INPUT_TOPIC =
      ConfigKey.string("relay.input.topic", "openledger.stack-check", "topic the relay job reads");
  public static final ConfigKey<String> RELAY_OUTPUT_TOPIC =
      ConfigKey.string(
          "relay.output.topic", "openledger.stack-check.relayed", "topic the relay job writes");

  public static final ConfigKey<java.net.URI> REGISTRY_URL =
      new ConfigKey<>(
          "registry.url",
          "http://127.0.0.1:8085/apis/ccompat/v7",
          "schema registry (Confluent REST API) the Avro topics are registered in",
          java.net.URI::create,
          u -> u.getScheme() != null && u.getScheme().startsWith("http"),
          "must be an http(s) URL");
  public static final ConfigKey<java.net.URI> SIDECAR_FLIGHT_URI =
      new ConfigKey<>(
          "sidecar.flight.uri",
          "grpc+tcp://127.0.0.1:8815",
          "Arrow Flight address of the GPU inference sidecar",
          java.net.URI::create,
          u -> "grpc+tcp".equals(u.getScheme()) || "grpc+tls".equals(u.getScheme()),
          "must be grpc+tcp://host:port or grpc+tls://host:port");
  public static final ConfigKey<String> SIDECAR_TOKEN =
      ConfigKey.secret(
          "sidecar.token",
          "shared secret sent to the sidecar on every Flight call (authorization: Bearer); the"
              + " sidecar requires it whenever it binds beyond loopback (same variable there)");
  public static final ConfigKey<String> TOPIC_PREFIX =
      new ConfigKey<>(
          "topic.prefix", "", "prefix of every topic name (tests)", String::trim, v -> true, "");

  /** The sidecar's encoders that embed text (its {@code precomputed} takes vectors instead). */
  static final Set<String> KNOWN_ENCODERS =
      Set.of("hashing-ngram", "hashing-ngram-v2", "minilm-l6-v2");

  public static final ConfigKey<String> ENCODER =
      new ConfigKey<>(
          "attribution.encoder",
          "hashing-ngram-v2",
          "the default encoder: every contribution is embedded with it (duplicates are found"
              + " there), and so is every query of a model that names no encoder",
          String::trim,
          KNOWN_ENCODERS::contains,
          "must be hashing-ngram, hashing-ngram-v2 or minilm-l6-v2");
  public static final ConfigKey<Set<String>> ENCODERS =
      new ConfigKey<>(
          "attribution.encoders",
          "hashing-ngram,hashing-ngram-v2",
          "encoders a model may name on chain besides attribution.encoder (comma-separated): each"
              + " costs the sidecar an index of every Datanet such a model reads; a model naming"
              + " another is dead-lettered and its inferences go unattributed",
          PipelineConfig::encoderNames,
          s -> KNOWN_ENCODERS.containsAll(s),
          "must be some of hashing-ngram, hashing-ngram-v2, minilm-l6-v2");
  public static final ConfigKey<Long> FETCH_TIMEOUT_MS =
      ConfigKey.atLeast(
          "content.fetch.timeout.ms",
          10_000,
          100,
          "total deadline of one content fetch attempt: connect, headers and body together (a"
              + " server that drips its body is cut); a timeout is transient and retried");
  public static final ConfigKey<Set<String>> FETCH_SCHEMES =
      new ConfigKey<>(
          "content.fetch.schemes",
          "https,http",
          "URI schemes content may be fetched with (comma-separated; file needs"
              + " content.fetch.root)",
          PipelineConfig::schemes,
          s -> !s.isEmpty() && FetchPolicy.KNOWN_SCHEMES.containsAll(s),
          "must be some of file, http, https");
  public static final ConfigKey<String> FETCH_ROOT =
      new ConfigKey<>(
          "content.fetch.root",
          "",
          "folder file:// content URIs must lie under (real path, symlinks followed); empty: no"
              + " file:// at all (production)",
          String::trim,
          s -> true,
          "");
  public static final ConfigKey<String> FETCH_ALLOW_HOSTS =
      new ConfigKey<>(
          "content.fetch.allow-hosts",
          "",
          "CIDRs, addresses or host names content may be fetched from although not public"
              + " (loopback, private, link-local are denied otherwise); tests and demos only",
          s -> {
            FetchPolicy.of("http", "", s, 0); // throws on an entry that is none of the three
            return s.trim();
          },
          s -> true,
          "must be a comma-separated list of CIDRs (10.0.0.0/8), addresses or host names");
  public static final ConfigKey<Long> FETCH_MAX_REDIRECTS =
      new ConfigKey<>(
          "content.fetch.max-redirects",
          "0",
          "redirects followed per fetch, each re-checked by the policy and never to another scheme"
              + " (0: none)",
          s -> Long.valueOf(s.trim()),
          v -> v >= 0 && v <= 10,
          "must be an integer from 0 to 10");
  public static final ConfigKey<Long> FETCH_MAX_BYTES =
      new ConfigKey<>(
          "content.fetch.max-bytes",
          Long.toString(1 << 20),
          "largest content accepted, enforced while reading (larger: dead-lettered)",
          s -> Long.valueOf(s.trim()),
          v -> v >= 1 && v <= 64L << 20,
          "must be an integer from 1 to 67108864");
  public static final ConfigKey<Long> FETCH_CONCURRENCY =
      new ConfigKey<>(
          "content.fetch.concurrency",
          "8",
          "content fetch attempts running at once (threads); waiting retries hold none",
          s -> Long.valueOf(s.trim()),
          v -> v >= 1 && v <= 256,
          "must be an integer from 1 to 256");
  public static final ConfigKey<Long> FETCH_BACKOFF_MIN_MS =
      ConfigKey.atLeast(
          "content.fetch.backoff.min.ms",
          1_000,
          10,
          "wait after the first transient fetch failure; doubled after each further one");
  public static final ConfigKey<Long> FETCH_BACKOFF_MAX_MS =
      ConfigKey.atLeast(
          "content.fetch.backoff.max.ms",
          60_000,
          10,
          "longest wait between transient fetch failures (at least content.fetch.backoff.min.ms)");
  public static final ConfigKey<Long> FETCH_GIVE_UP_AFTER_MS =
      ConfigKey.atLeast(
          "content.fetch.give-up-after.ms",
          0,
          0,
          "0: a transiently failing fetch is retried until its content arrives (replays stay"
              + " byte-identical); otherwise dead-letter it after this long, a timing-dependent"
              + " decision a replay may not repeat");
  public static final ConfigKey<Long> RETRACT_WINDOW_BLOCKS =
      ConfigKey.atLeast(
          "attribution.retract.window.blocks",
          128,
          1,
          "blocks a result is kept so a reorg can retract it; at least the follower's reorg window");

  public static final ConfigKey<Long> BATCH_MAX_INFERENCES =
      new ConfigKey<>(
          "attribution.batch.max-inferences",
          "1024",
          "sealed inferences the attribution job queues before scoring them in one sidecar call per"
              + " (model, params) group; a seal that brings the queue to this many scores it at once"
              + " (1: every seal scored on arrival, one call per sealed block on a one-inference-per-block"
              + " chain)",
          s -> Long.valueOf(s.trim()),
          v -> v >= 1 && v <= 65_536,
          "must be an integer from 1 to 65536");
  public static final ConfigKey<Long> BATCH_MAX_DELAY_MS =
      new ConfigKey<>(
          "attribution.batch.max-delay.ms",
          "200",
          "longest a sealed inference waits in the attribution job's queue (processing time) before"
              + " the queue is scored; adds at most this to block-to-result latency, on top of the"
              + " checkpoint that commits the result",
          s -> Long.valueOf(s.trim()),
          v -> v >= 1 && v <= 60_000,
          "must be an integer from 1 to 60000");

  public static final ConfigKey<String> PROTOCOL_ADDRESS =
      new ConfigKey<>(
          "payment.protocol.address",
          "",
          "the protocol's payee (the treasury: deployment.json roles.treasury); required to run the"
              + " payment job",
          s -> s.trim().toLowerCase(java.util.Locale.ROOT),
          s -> s.isEmpty() || s.matches("0x[0-9a-f]{40}"),
          "must be a 0x address (40 hex digits)");
  public static final ConfigKey<Long> PAYMENT_FINALITY_BLOCKS =
      ConfigKey.atLeast(
          "payment.finality.blocks",
          0,
          0,
          "blocks past a settlement window's end before it closes: the deepest reorg the follower"
              + " may still report (0 with immediate finality)");

  public static final ConfigKey<String> CHECKPOINT_DIR =
      ConfigKey.string(
          "checkpoint.dir",
          ".run/checkpoints",
          "where the embedded mini-cluster writes checkpoints (a path or a file:// URI); the"
              + " cluster uses its own execution.checkpointing.dir");

  public static final List<ConfigKey<?>> KEYS =
      List.of(
          EMBEDDED,
          JOBS,
          PARALLELISM,
          KAFKA_BOOTSTRAP,
          REST_ADDRESS,
          REST_PORT,
          METRICS_PORT,
          CHECKPOINT_INTERVAL_MS,
          KAFKA_TRANSACTION_TIMEOUT_MS,
          RELAY_INPUT_TOPIC,
          RELAY_OUTPUT_TOPIC,
          REGISTRY_URL,
          SIDECAR_FLIGHT_URI,
          SIDECAR_TOKEN,
          TOPIC_PREFIX,
          ENCODER,
          ENCODERS,
          FETCH_TIMEOUT_MS,
          FETCH_SCHEMES,
          FETCH_ROOT,
          FETCH_ALLOW_HOSTS,
          FETCH_MAX_REDIRECTS,
          FETCH_MAX_BYTES,
          FETCH_CONCURRENCY,
          FETCH_BACKOFF_MIN_MS,
          FETCH_BACKOFF_MAX_MS,
          FETCH_GIVE_UP_AFTER_MS,
          RETRACT_WINDOW_BLOCKS,
          BATCH_MAX_INFERENCES,
          BATCH_MAX_DELAY_MS,
          PROTOCOL_ADDRESS,
          PAYMENT_FINALITY_BLOCKS,
          CHECKPOINT_DIR);

  /** Defaults, then the optional properties file, then {@code OPENLEDGER_*} variables. */
  public static PipelineConfig load(Map<String, String> environment, Optional<Path> file) {
    ConfigSource source = ConfigSource.of(environment, file);
    source.validate(KEYS);
    FetchPolicy policy = fetchPolicy(source);
    if (source.get(FETCH_BACKOFF_MAX_MS) < source.get(FETCH_BACKOFF_MIN_MS)) {
      throw new IllegalArgumentException(
          "invalid configuration:\n  content.fetch.backoff.max.ms must be at least"
              + " content.fetch.backoff.min.ms");
    }
    boolean embedded = source.get(EMBEDDED);
    // Embedded: the key decides (default 1). Cluster: -p decides unless the key is given.
    java.util.OptionalInt parallelism =
        embedded || source.isSet(PARALLELISM)
            ? java.util.OptionalInt.of(source.get(PARALLELISM).intValue())
            : java.util.OptionalInt.empty();
    return new PipelineConfig(
        embedded,
        source.get(JOBS),
        parallelism,
        source.get(KAFKA_BOOTSTRAP),
        source.get(REST_ADDRESS),
        source.get(REST_PORT),
        source.get(METRICS_PORT),
        source.get(CHECKPOINT_INTERVAL_MS),
        source.get(KAFKA_TRANSACTION_TIMEOUT_MS),
        source.get(RELAY_INPUT_TOPIC),
        source.get(RELAY_OUTPUT_TOPIC),
        source.get(REGISTRY_URL),
        source.get(SIDECAR_FLIGHT_URI),
        source.get(SIDECAR_TOKEN),
        source.get(TOPIC_PREFIX),
        source.get(ENCODER),
        source.get(ENCODERS),
        source.get(FETCH_TIMEOUT_MS),
        policy,
        source.get(FETCH_MAX_BYTES).intValue(),
        source.get(FETCH_CONCURRENCY).intValue(),
        source.get(FETCH_BACKOFF_MIN_MS),
        source.get(FETCH_BACKOFF_MAX_MS),
        source.get(FETCH_GIVE_UP_AFTER_MS),
        source.get(RETRACT_WINDOW_BLOCKS),
        source.get(BATCH_MAX_INFERENCES).intValue(),
        source.get(BATCH_MAX_DELAY_MS),
        source.get(PROTOCOL_ADDRESS),
        source.get(PAYMENT_FINALITY_BLOCKS),
        source.get(CHECKPOINT_DIR));
  }

  /** The fetch policy the keys describe; file:// and a content root come together or not at all. */
  private static FetchPolicy fetchPolicy(ConfigSource source) {
    Set<String> schemes = source.get(FETCH_SCHEMES);
    String root = source.get(FETCH_ROOT);
    if (schemes.contains("file") && root.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid configuration:\n  content.fetch.schemes includes file but content.fetch.root"
              + " is not set (file:// is allowed only under a content root)");
    }
    if (!schemes.contains("file") && !root.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid configuration:\n  content.fetch.root is set but content.fetch.schemes does"
              + " not include file");
    }
    return FetchPolicy.of(
        String.join(",", schemes),
        root,
        source.get(FETCH_ALLOW_HOSTS),
        source.get(FETCH_MAX_REDIRECTS).intValue());
  }

  /** The named jobs; an unknown name fails the parse (and so names the key and its rule). */
  private static Set<Job> jobs(String text) {
    Set<Job> out = java.util.EnumSet.noneOf(Job.class);
    for (String s : text.split(",")) {
      if (!s.isBlank()) {
        out.add(Job.valueOf(s.trim().toUpperCase(java.util.Locale.ROOT)));
      }
    }
    return out;
  }

  private static Set<String> encoderNames(String text) {
    Set<String> out = new java.util.TreeSet<>();
    for (String s : text.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return Set.copyOf(out);
  }

  private static Set<String> schemes(String text) {
    Set<String> out = new java.util.LinkedHashSet<>();
    for (String s : text.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim().toLowerCase(java.util.Locale.ROOT));
      }
    }
    return Set.copyOf(out);
  }

  /** Every setting but the sidecar token, which never appears in a log. */
  @Override
  public String toString() {
    return "PipelineConfig[jobs="
        + jobName()
        + ", parallelism="
        + (parallelism.isPresent() ? parallelism.getAsInt() : "(the submitter's)")
        + ", kafkaBootstrap="
        + kafkaBootstrap
        + ", sidecarFlightUri="
        + sidecarFlightUri
        + ", sidecarToken="
        + (sidecarToken.isEmpty() ? "(none)" : "(set)")
        + ", encoder="
        + encoder
        + ", encoders="
        + new java.util.TreeSet<>(encoders)
        + ", fetchPolicy="
        + fetchPolicy
        + ", checkpointDir="
        + checkpointDir
        + ", ...]";
  }

  /** The checkpoint directory as a URI Flink accepts. */
  public String checkpointUri() {
    return checkpointDir.contains("://")
        ? checkpointDir
        : Path.of(checkpointDir).toAbsolutePath().toUri().toString();
  }

  /** The name of {@code topic} in this deployment (with the optional prefix). */
  public String topic(org.openledger.schemas.Topic topic) {
    return topicPrefix + topic.name();
  }
}
