package org.openledger.flink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;
import org.openledger.events.ChainEvent;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.Duplicate;
import org.openledger.flink.attribution.FlightSidecarGateway;
import org.openledger.flink.attribution.Rejection;
import org.openledger.flink.config.Checkpoints;
import org.openledger.flink.config.PipelineConfig;
import org.openledger.flink.config.PipelineConfig.Job;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.kafka.AvroKafka;
import org.openledger.flink.kafka.AvroRecords;
import org.openledger.flink.kafka.KafkaConnectors;
import org.openledger.flink.payment.Accrual;
import org.openledger.flink.payment.BatchLeaf;
import org.openledger.flink.payment.PaymentInput;
import org.openledger.flink.payment.PaymentInputs;
import org.openledger.pipeline.AttributionResult;
import org.openledger.schemas.TopicBootstrap;
import org.openledger.schemas.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the pipeline's jobs: in an embedded mini-cluster with its Web UI ({@code bin/openledger
 * demo}) or, with {@code flink.mode=cluster}, as the application of a real Flink cluster
 * (docker-compose.yml). {@code pipeline.jobs} picks which of relay, attribution and payment one
 * submission runs, so a cluster can run attribution and payment as two Flink jobs from one jar.
 * {@code main} only loads configuration and wires the jobs.
 */
public final class PipelineApp {

  private static final Logger LOG = LoggerFactory.getLogger(PipelineApp.class);

  private PipelineApp() {}

  public static void main(String[] args) throws Exception {
    Optional<Path> file = args.length > 0 ? Optional.of(Path.of(args[0])) : Optional.empty();
    PipelineConfig config = PipelineConfig.load(System.getenv(), file);
    LOG.info("starting {}", config);

    if (config.runs(Job.PAYMENT) && config.protocolAddress().isEmpty()) {
      throw new IllegalArgumentException(
          "payment.protocol.address is not set: the payment job needs the treasury address"
              + " (OPENLEDGER_PAYMENT_PROTOCOL_ADDRESS)");
    }
    if (config.runs(Job.RELAY)) {
      TopicBootstrap.ensure(
          config.kafkaBootstrap(),
          List.of(
              new NewTopic(config.relayInputTopic(), 1, (short) 1),
              new NewTopic(config.relayOutputTopic(), 1, (short) 1)));
    }
    if (config.runs(Job.ATTRIBUTION)) {
      ensureAttributionTopics(config);
    }
    if (config.runs(Job.PAYMENT)) {
      ensurePaymentTopics(config);
    }

    StreamExecutionEnvironment env =
        config.embedded()
            ? StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flinkConfiguration(config))
            : StreamExecutionEnvironment.getExecutionEnvironment();
    configure(env, config);
    if (config.runs(Job.RELAY)) {
      new RelayJob(
              KafkaConnectors.stringSource(
                  config.kafkaBootstrap(), config.relayInputTopic(), "openledger-stack-check"),
              KafkaConnectors.exactlyOnceStringSink(
                  config.kafkaBootstrap(),
                  config.relayOutputTopic(),
                  "openledger-stack-check",
                  config.kafkaTransactionTimeoutMs()))
          .build(env);
    }
    if (config.runs(Job.ATTRIBUTION)) {
      attributionJob(config).build(env);
    }
    if (config.runs(Job.PAYMENT)) {
      paymentJob(config).build(env);
    }
    env.execute(config.jobName());
  }

  /**
   * Checkpointing, parallelism and max parallelism of {@code env}, the same for the app and for
   * tests that build its jobs: the configured parallelism where there is one (embedded, or set
   * explicitly for a cluster), else the submitter's ({@code -p}).
   */
  public static void configure(StreamExecutionEnvironment env, PipelineConfig config) {
    env.enableCheckpointing(config.checkpointIntervalMs());
    config.parallelism().ifPresent(env::setParallelism);
    // Keyed state lives in MAX_PARALLELISM key groups, the unit a restore redistributes: fixed, a
    // savepoint restores at any parallelism up to it. Left unset, Flink derives it from each
    // operator's parallelism (128 up to 85, more above), and a job first run wider could not be
    // restored narrower, nor the reverse. 128 is what Flink chose for the p=1 jobs so far, so their
    // checkpoints restore as they are.
    env.setMaxParallelism(PipelineConfig.MAX_PARALLELISM);
  }

  /** Creates the attribution job's input and output topics (with the prefix) where missing. */
  public static void ensureAttributionTopics(PipelineConfig config) throws Exception {
    TopicBootstrap.ensure(
        config.kafkaBootstrap(),
        List.of(
                Topics.CHAIN_EVENTS,
                Topics.ATTRIBUTION_RESULTS,
                Topics.DEAD_LETTERS,
                Topics.SLASH_PROPOSALS)
            .stream()
            .map(t -> new NewTopic(config.topic(t), t.partitions(), (short) 1))
            .toList());
  }

  /** The attribution job on the configured Kafka topics, registry and sidecar. */
  public static AttributionJob attributionJob(PipelineConfig config) {
    String prefix = config.topicPrefix();
    return new AttributionJob(
        AvroKafka.chainEvents(
            config.kafkaBootstrap(),
            config.registryUrl(),
            config.topic(Topics.CHAIN_EVENTS),
            prefix + "openledger-attribution"),
        AvroKafka.<Attribution>exactlyOnce(
            config.kafkaBootstrap(),
            config.registryUrl(),
            Topics.ATTRIBUTION_RESULTS,
            config.topic(Topics.ATTRIBUTION_RESULTS),
            AvroRecords::result,
            a -> Long.toString(a.inferenceId()),
            prefix + "openledger-attribution-results",
            config.kafkaTransactionTimeoutMs()),
        AvroKafka.<Rejection>exactlyOnce(
            config.kafkaBootstrap(),
            config.registryUrl(),
            Topics.DEAD_LETTERS,
            config.topic(Topics.DEAD_LETTERS),
            AvroRecords::deadLetter,
            Rejection::stage,
            prefix + "openledger-attribution-dead-letters",
            config.kafkaTransactionTimeoutMs()),
        AvroKafka.<Duplicate>exactlyOnce(
            config.kafkaBootstrap(),
            config.registryUrl(),
            Topics.SLASH_PROPOSALS,
            config.topic(Topics.SLASH_PROPOSALS),
            AvroRecords::slashProposal,
            d -> Long.toString(d.contributionId()),
            prefix + "openledger-attribution-slash-proposals",
            config.kafkaTransactionTimeoutMs()),
        FlightSidecarGateway.factory(
            config.sidecarFlightUri(),
            config.encoder(),
            config.encoders(),
            Duration.ofSeconds(60),
            config.sidecarToken()),
        fetching(config),
        config.retractWindowBlocks(),
        new AttributionJob.Batching(
            config.attributionBatchMaxInferences(),
            Duration.ofMillis(config.attributionBatchMaxDelayMs())));
  }

  /** How the attribution job fetches content: the configured policy and limits. */
  public static AttributionJob.Fetching fetching(PipelineConfig config) {
    return config.fetching();
  }

  /** Creates the payment job's output topics (with the prefix) where missing. */
  public static void ensurePaymentTopics(PipelineConfig config) throws Exception {
    TopicBootstrap.ensure(
        config.kafkaBootstrap(),
        List.of(
                Topics.CHAIN_EVENTS,
                Topics.ATTRIBUTION_RESULTS,
                Topics.PAYOUT_ACCRUALS,
                Topics.PAYOUT_BATCHES,
                Topics.PAYOUT_BATCH_LEAVES,
                Topics.DEAD_LETTERS)
            .stream()
            .map(t -> new NewTopic(config.topic(t), t.partitions(), (short) 1))
            .toList());
  }

  /** The payment job on the configured Kafka topics and registry. */
  public static PaymentJob paymentJob(PipelineConfig config) {
    String prefix = config.topicPrefix();
    String kafka = config.kafkaBootstrap();
    java.net.URI registry = config.registryUrl();
    long timeout = config.kafkaTransactionTimeoutMs();
    return new PaymentJob(
        AvroKafka.source(
            kafka,
            registry,
            Topics.CHAIN_EVENTS,
            config.topic(Topics.CHAIN_EVENTS),
            prefix + "openledger-payment-chain-events",
            ChainEvent.class,
            PaymentInputs::of,
            PaymentInput.class),
        AvroKafka.source(
            kafka,
            registry,
            Topics.ATTRIBUTION_RESULTS,
            config.topic(Topics.ATTRIBUTION_RESULTS),
            prefix + "openledger-payment-attribution-results",
            AttributionResult.class,
            PaymentInputs::of,
            PaymentInput.class),
        AvroKafka.<Accrual>exactlyOnce(
            kafka,
            registry,
            Topics.PAYOUT_ACCRUALS,
            config.topic(Topics.PAYOUT_ACCRUALS),
            AvroRecords::accrual,
            a -> a.leaf().payee(),
            prefix + "openledger-payment-accruals",
            timeout),
        AvroKafka.<PayoutBatcher.Batch>exactlyOnce(
            kafka,
            registry,
            Topics.PAYOUT_BATCHES,
            config.topic(Topics.PAYOUT_BATCHES),
            AvroRecords::batch,
            PayoutBatcher.Batch::batchId,
            prefix + "openledger-payment-batches",
            timeout),
        AvroKafka.<BatchLeaf>exactlyOnce(
            kafka,
            registry,
            Topics.PAYOUT_BATCH_LEAVES,
            config.topic(Topics.PAYOUT_BATCH_LEAVES),
            l -> AvroRecords.leaf(l.batchId(), l.leaf(), l.leafHash()),
            BatchLeaf::batchId,
            prefix + "openledger-payment-batch-leaves",
            timeout),
        AvroKafka.<Rejection>exactlyOnce(
            kafka,
            registry,
            Topics.DEAD_LETTERS,
            config.topic(Topics.DEAD_LETTERS),
            AvroRecords::deadLetter,
            Rejection::stage,
            prefix + "openledger-payment-dead-letters",
            timeout),
        config.protocolAddress(),
        config.paymentFinalityBlocks());
  }

  /**
   * Binds the Web UI and REST API to the configured address (loopback by default), and serves the
   * mini-cluster's metrics (checkpoints, back-pressure, records in and out, the operators' own
   * counters) for Prometheus on the same address.
   */
  public static Configuration flinkConfiguration(PipelineConfig config) {
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_ADDRESS, config.restAddress());
    conf.set(RestOptions.ADDRESS, config.restAddress());
    conf.set(RestOptions.PORT, config.restPort());
    conf.setString(
        "metrics.reporter.prom.factory.class",
        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    conf.setString("metrics.reporter.prom.host", config.restAddress());
    conf.setString("metrics.reporter.prom.port", config.metricsPort());
    // Checkpoints on disk: the ledgers' state outgrows the JobManager's 5 MB in-memory storage.
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointUri());
    // A crash of this JVM is a job failure: the next start resumes from the newest completed
    // checkpoint (kept on cancellation too) and owns it from then on (CLAIM), so state, Kafka
    // offsets and open transactions continue exactly once instead of starting over.
    conf.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    Checkpoints.latestCompleted(Path.of(java.net.URI.create(config.checkpointUri())))
        .ifPresent(
            chk -> {
              LOG.info("resuming from checkpoint {}", chk);
              conf.set(StateRecoveryOptions.SAVEPOINT_PATH, chk.toUri().toString());
              conf.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.CLAIM);
            });
    return conf;
  }
}
