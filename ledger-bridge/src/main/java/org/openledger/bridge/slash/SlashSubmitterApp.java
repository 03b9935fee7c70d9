package org.openledger.bridge.slash;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.pipeline.DeadLetter;
import org.openledger.pipeline.SlashProposal;
import org.openledger.schemas.DeadLetters;
import org.openledger.schemas.TopicBootstrap;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slash submitter process: reads {@code attribution.slash-proposals} (read_committed) in order
 * and takes each proposal to the chain as one {@code DatanetRegistry.flag}, which freezes the stake
 * until governance slashes or clears it. The offset is committed only after the proposal's outcome
 * (flagged, found flagged or closed, or dead-lettered), so a crash redoes at most the current
 * proposal, and the chain read before every send makes redoing it flag nothing twice.
 */
public final class SlashSubmitterApp {

  private static final Logger LOG = LoggerFactory.getLogger(SlashSubmitterApp.class);

  private SlashSubmitterApp() {}

  public static void main(String[] args) throws Exception {
    SlashSubmitterConfig config = SlashSubmitterConfig.load(System.getenv());
    SlashSubmitterMetrics metrics = new SlashSubmitterMetrics();
    int port = metrics.serve(config.host(), config.metricsPort());
    LOG.info("metrics on {}:{}", config.host(), port);
    try {
      run(config, Deployment.read(config.deploymentFile()), metrics, () -> true);
    } finally {
      metrics.stop();
    }
  }

  /** Submits proposals until {@code running} turns false or the thread is interrupted. */
  static void run(
      SlashSubmitterConfig config,
      Deployment deployment,
      SlashSubmitterMetrics metrics,
      BooleanSupplier running)
      throws Exception {
    SchemaRegistryClient registry = new SchemaRegistryClient(URI.create(config.registryUrl()));
    var proposals =
        new ConfluentAvroSerde<>(
            Topics.SLASH_PROPOSALS.withName(config.proposalsTopic()),
            registry,
            SlashProposal.class);
    var deadLetters =
        new ConfluentAvroSerde<>(
            Topics.DEAD_LETTERS.withName(config.deadLetterTopic()), registry, DeadLetter.class);
    TopicBootstrap.ensure(
        config.kafkaBootstrap(),
        List.of(
            new NewTopic(config.proposalsTopic(), Topics.SLASH_PROPOSALS.partitions(), (short) 1),
            new NewTopic(config.deadLetterTopic(), Topics.DEAD_LETTERS.partitions(), (short) 1)));
    try (Chain chain = new Chain(config.rpcUrl(), config.chainId());
        KafkaConsumer<byte[], byte[]> consumer = consumer(config);
        KafkaProducer<String, byte[]> producer = producer(config)) {
      if (chain.nodeChainId() != config.chainId()) {
        throw new IllegalStateException("the node does not serve chain " + config.chainId());
      }
      SlashSubmitter submitter =
          new SlashSubmitter(
              new RegistryFlagChain(chain, deployment.address("DatanetRegistry"), config.flagger()),
              metrics,
              config.retry(),
              Thread::sleep);
      // One submitter per flagger key (it owns the nonces): assigned, not subscribed, so a
      // restart does not wait out a dead member's session; offsets still go to the group.
      consumer.assign(
          consumer.partitionsFor(config.proposalsTopic()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList());
      LOG.info(
          "flagging proposals from {} as {}",
          config.proposalsTopic(),
          config.flagger().getAddress());
      while (running.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          String reason;
          try {
            SlashProposal p = proposals.decode(r.value());
            reason = submitter.submit(p).deadLetter();
          } catch (RuntimeException e) {
            reason = "undecodable slash proposal: " + e.getMessage();
          }
          if (reason != null) {
            producer
                .send(
                    new ProducerRecord<>(
                        config.deadLetterTopic(),
                        "slashing",
                        deadLetters.encode(DeadLetters.of("slashing", r, reason))))
                .get();
          }
          consumer.commitSync(
              Map.of(
                  new TopicPartition(r.topic(), r.partition()),
                  new OffsetAndMetadata(r.offset() + 1)));
          metrics.lastOffset.set(r.offset());
        }
      }
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(SlashSubmitterConfig config) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static KafkaProducer<String, byte[]> producer(SlashSubmitterConfig config) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }
}
