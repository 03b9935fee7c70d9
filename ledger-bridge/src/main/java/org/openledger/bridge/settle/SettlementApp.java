package org.openledger.bridge.settle;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
import org.openledger.pipeline.PayoutBatch;
import org.openledger.schemas.DeadLetters;
import org.openledger.schemas.TopicBootstrap;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settlement writer process: reads {@code payout.batches} (read_committed, one partition) in
 * order and settles each batch on chain exactly once (proposes it, then finalizes it after its
 * challenge window), several at once ({@link BatchPipeline}). A batch's offset is committed only
 * after its outcome (settled, already settled, or refused and dead-lettered with the contract's
 * error) and every earlier batch's, so a crash redoes at most the batches in flight, and the
 * progress store and the chain's batch-id checks make redoing them propose and pay nothing twice.
 * Proposals leave in topic order, as the contract takes windows in increasing order only.
 */
public final class SettlementApp {

  private static final Logger LOG = LoggerFactory.getLogger(SettlementApp.class);

  private SettlementApp() {}

  public static void main(String[] args) throws Exception {
    SettlementConfig config = SettlementConfig.load(System.getenv());
    Deployment deployment = Deployment.read(config.deploymentFile());
    SchemaRegistryClient registry = new SchemaRegistryClient(URI.create(config.registryUrl()));
    var batches =
        new ConfluentAvroSerde<>(
            Topics.PAYOUT_BATCHES.withName(config.batchesTopic()), registry, PayoutBatch.class);
    var deadLetters =
        new ConfluentAvroSerde<>(
            Topics.DEAD_LETTERS.withName(config.deadLetterTopic()), registry, DeadLetter.class);
    TopicBootstrap.ensure(
        config.kafkaBootstrap(),
        List.of(
            new NewTopic(config.batchesTopic(), Topics.PAYOUT_BATCHES.partitions(), (short) 1),
            new NewTopic(config.deadLetterTopic(), Topics.DEAD_LETTERS.partitions(), (short) 1)));
    SettlementMetrics metrics = new SettlementMetrics();
    int port = metrics.serve(config.host(), config.metricsPort());
    ProgressStore progress = ProgressStore.open(config.stateDir());
    try (Chain chain = new Chain(config.rpcUrl(), config.chainId());
        KafkaConsumer<byte[], byte[]> consumer = consumer(config);
        KafkaProducer<String, byte[]> producer = producer(config)) {
      if (chain.nodeChainId() != config.chainId()) {
        throw new IllegalStateException("the node does not serve chain " + config.chainId());
      }
      SettlementChain settlement =
          new SettlementChain(chain, deployment.address("Settlement"), config.settler());
      SettlementWriter writer =
          new SettlementWriter(
              settlement, progress, metrics, config.timing(), System::currentTimeMillis);
      // One writer per settler key (it owns the nonces): assigned, not subscribed, so a restart
      // after a kill does not wait out the dead member's session in a group rebalance. Offsets
      // are still committed to the group, and a restart resumes from them.
      List<TopicPartition> partitions =
          consumer.partitionsFor(config.batchesTopic()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      // The contract pays windows in increasing order only: a window sent after a later one is
      // refused for good. One partition, read in order, one batch at a time, keeps the job's order.
      if (partitions.size() != 1) {
        throw new IllegalStateException(
            config.batchesTopic()
                + " has "
                + partitions.size()
                + " partitions: settlement needs exactly one to keep the windows in order");
      }
      consumer.assign(partitions);
      LOG.info(
          "settling batches from {} as {} (in flight from an earlier run: {}; metrics on {}:{})",
          config.batchesTopic(),
          settlement.settler(),
          progress.all().keySet(),
          config.host(),
          port);
      BatchPipeline<ConsumerRecord<byte[], byte[]>> pipeline =
          new BatchPipeline<>(
              writer, metrics, config.maxInFlight(), config.timing().maxBackoffMillis());
      while (!Thread.currentThread().isInterrupted()) {
        // Read while there is room: with batches in flight, only what is already there.
        if (pipeline.hasRoom()) {
          for (ConsumerRecord<byte[], byte[]> r :
              consumer.poll(pipeline.isEmpty() ? Duration.ofMillis(500) : Duration.ZERO)) {
            PayoutBatch batch = null;
            String why = null;
            try {
              batch = batches.decode(r.value());
            } catch (RuntimeException e) {
              why = "undecodable payout batch: " + e.getMessage();
            }
            pipeline.add(r, batch, why);
          }
        }
        List<BatchPipeline.Done<ConsumerRecord<byte[], byte[]>>> done = pipeline.advance();
        for (BatchPipeline.Done<ConsumerRecord<byte[], byte[]>> d : done) {
          ConsumerRecord<byte[], byte[]> r = d.source();
          if (d.refusal() != null) {
            producer
                .send(
                    new ProducerRecord<>(
                        config.deadLetterTopic(),
                        "settlement",
                        deadLetters.encode(DeadLetters.of("settlement", r, d.refusal()))))
                .get();
          }
          // In order, and only once the batch is done: a restart resumes at the first not done.
          consumer.commitSync(
              Map.of(
                  new TopicPartition(r.topic(), r.partition()),
                  new OffsetAndMetadata(r.offset() + 1)));
          metrics.lastOffset.set(r.offset());
          LOG.info(
              "offset {} committed: batch {} {}",
              r.offset(),
              d.label(),
              d.refusal() == null ? "done" : "dead-lettered: " + d.refusal());
        }
        if (done.isEmpty() && !pipeline.isEmpty()) {
          Thread.sleep(config.timing().pollMillis());
        }
      }
    } finally {
      metrics.stop();
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(SettlementConfig config) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static KafkaProducer<String, byte[]> producer(SettlementConfig config) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }
}
