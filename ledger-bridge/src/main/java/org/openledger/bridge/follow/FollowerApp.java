package org.openledger.bridge.follow;

import java.math.BigInteger;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.pipeline.FollowerCursor;
import org.openledger.pipeline.RecentBlock;
import org.openledger.schemas.TopicBootstrap;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthBlock;

/**
 * The chain follower process: resumes from its committed cursor (or the deployment's start block)
 * and follows the chain into the raw topic until stopped. A crash at any point is safe: on start
 * the transactional producer fences and aborts whatever the last run left open.
 */
public final class FollowerApp {

  private static final Logger LOG = LoggerFactory.getLogger(FollowerApp.class);

  private FollowerApp() {}

  public static void main(String[] args) throws Exception {
    FollowerConfig config = FollowerConfig.load(System.getenv());
    Deployment deployment = Deployment.read(config.deploymentFile());
    SchemaRegistryClient registry = new SchemaRegistryClient(URI.create(config.registryUrl()));
    FollowerSerdes serdes = FollowerSerdes.of(config, registry);
    ensureTopics(config);
    FollowerMetrics metrics = new FollowerMetrics();
    int metricsPort = metrics.serve(config.host(), config.metricsPort());

    try (Chain chain = new Chain(config.rpcUrl(), config.chainId());
        KafkaProducer<String, byte[]> producer = producer(config)) {
      if (chain.nodeChainId() != config.chainId()) {
        throw new IllegalStateException("the node does not serve chain " + config.chainId());
      }
      producer.initTransactions(); // fences an earlier run and aborts its open transaction
      FollowerCursor cursor =
          CursorStore.load(
                  config.kafkaBootstrap(),
                  config.cursorTopic(),
                  config.followerId(),
                  serdes.cursor())
              .orElseGet(() -> initialCursor(chain, deployment));
      LOG.info(
          "following chain {} from block {} into {} (metrics on {}:{})",
          config.chainId(),
          cursor.getBlockNumber() + 1,
          config.rawTopic(),
          config.host(),
          metricsPort);
      Semaphore wake = new Semaphore(0);
      try (ChainFollower follower =
              new ChainFollower(chain, deployment, config, producer, serdes, metrics, cursor);
          AutoCloseable heads = NewHeads.subscribe(config.wsUrl(), wake::release)) {
        long lastReport = 0;
        while (!Thread.currentThread().isInterrupted()) {
          int written = follower.step();
          if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(10)) {
            LOG.info(
                "cursor={} lag={} logs={} reorgs={}",
                metrics.cursorBlock.get(),
                metrics.headLag.get(),
                metrics.logsWritten.get(),
                metrics.reorgs.get());
            lastReport = System.nanoTime();
          }
          if (written == 0) {
            // Polling is what makes following correct; a new-head notification only ends the wait
            // early.
            wake.tryAcquire(config.pollIntervalMs(), TimeUnit.MILLISECONDS);
            wake.drainPermits();
          }
        }
      }
    } finally {
      metrics.stop();
    }
  }

  public static KafkaProducer<String, byte[]> producer(FollowerConfig config) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ledger-bridge-" + config.followerId());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** The cursor before the first block to follow: the block before the deployment. */
  public static FollowerCursor initialCursor(Chain chain, Deployment deployment) {
    long before = deployment.startBlock() - 1;
    List<RecentBlock> recent = new ArrayList<>();
    String hash = "";
    if (before >= 0) {
      try {
        EthBlock.Block b =
            chain
                .web3()
                .ethGetBlockByNumber(
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(before)), false)
                .send()
                .getBlock();
        hash = b.getHash().toLowerCase(java.util.Locale.ROOT);
        recent.add(
            RecentBlock.newBuilder()
                .setNumber(before)
                .setHash(hash)
                .setParentHash(b.getParentHash().toLowerCase(java.util.Locale.ROOT))
                .setLogs(new ArrayList<>())
                .build());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return FollowerCursor.newBuilder()
        .setChainId(chain.chainId())
        .setBlockNumber(before)
        .setBlockHash(hash)
        .setRecent(recent)
        .build();
  }

  /** Creates the raw topic and the compacted cursor topic when missing. */
  public static void ensureTopics(FollowerConfig config) throws Exception {
    TopicBootstrap.ensure(
        config.kafkaBootstrap(),
        List.of(
            new NewTopic(config.rawTopic(), 1, (short) 1),
            new NewTopic(config.cursorTopic(), 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact"))));
  }
}
