package org.openledger.bridge.bench;

import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.decode.ChainEventDecoder;
import org.openledger.bridge.deploy.Deployer;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.follow.ChainFollower;
import org.openledger.bridge.follow.FollowerApp;
import org.openledger.bridge.follow.FollowerConfig;
import org.openledger.bridge.follow.FollowerMetrics;
import org.openledger.bridge.follow.FollowerSerdes;
import org.openledger.bridge.scenario.ScenarioDriver;
import org.openledger.events.RawChainLog;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;

/**
 * {@code bin/openledger bench follower}: on the dev chain, makes a fresh contract set emit a few
 * thousand logs spread over ~1000 blocks, then times, against the same node in the same run, a
 * plain eth_getLogs scan of the range and the follower writing it into Kafka exactly once; and the
 * decoder's per-record work (Avro decode + ABI decode) on those logs. Prints the figures.
 */
public final class FollowerBenchmark {

  private FollowerBenchmark() {}

  private record FollowRun(
      double seconds, long logs, ConfluentAvroSerde<RawChainLog> rawSerde, String prefix) {}

  /**
   * The broker's ceiling here: the same records, in transactions of the same size, nothing else.
   */
  private static double kafkaCeiling(FollowerConfig config, List<byte[]> values, int perTransaction)
      throws Exception {
    java.util.Properties p = new java.util.Properties();
    p.put("bootstrap.servers", config.kafkaBootstrap());
    p.put("transactional.id", "bench-ceiling-" + System.nanoTime());
    p.put("linger.ms", 5);
    String topic = "bench-ceiling-" + Long.toString(System.nanoTime(), 36);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            p,
            new org.apache.kafka.common.serialization.StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer.initTransactions();
      double best = 0;
      for (int round = 0; round < 3; round++) { // the best of three: the first pays the warm-up
        long t = System.nanoTime();
        for (int i = 0; i < values.size(); i += perTransaction) {
          producer.beginTransaction();
          for (byte[] v : values.subList(i, Math.min(values.size(), i + perTransaction))) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "k", v));
          }
          producer.commitTransaction();
        }
        best = Math.max(best, values.size() / ((System.nanoTime() - t) / 1e9));
      }
      return best;
    }
  }

  /** Follows the whole range into a fresh set of topics; returns the time it took. */
  private static FollowRun follow(
      Chain chain, Deployment deployment, Path file, Map<String, String> env, long head)
      throws Exception {
    String prefix = "bench-" + Long.toString(System.nanoTime(), 36) + ".";
    Map<String, String> followerEnv = new java.util.HashMap<>(env);
    followerEnv.put("OPENLEDGER_DEPLOYMENT_FILE", file.toString());
    followerEnv.put("OPENLEDGER_TOPIC_PREFIX", prefix);
    followerEnv.put("OPENLEDGER_FOLLOWER_ID", prefix + "follower");
    FollowerConfig config = FollowerConfig.load(followerEnv);
    FollowerApp.ensureTopics(config);
    SchemaRegistryClient registry = new SchemaRegistryClient(URI.create(config.registryUrl()));
    FollowerSerdes serdes = FollowerSerdes.of(config, registry);
    FollowerMetrics metrics = new FollowerMetrics();
    try (KafkaProducer<String, byte[]> producer = FollowerApp.producer(config)) {
      producer.initTransactions();
      ChainFollower follower =
          new ChainFollower(
              chain,
              deployment,
              config,
              producer,
              serdes,
              metrics,
              FollowerApp.initialCursor(chain, deployment));
      long t = System.nanoTime();
      while (follower.cursor().getBlockNumber() < head) {
        follower.step();
      }
      return new FollowRun(
          (System.nanoTime() - t) / 1e9, metrics.logsWrittenTotal(), serdes.raw(), prefix);
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    int settles = Integer.parseInt(env.getOrDefault("BENCH_SETTLES", "50"));
    int payees = Integer.parseInt(env.getOrDefault("BENCH_PAYEES", "100"));
    int emptyBlocks = Integer.parseInt(env.getOrDefault("BENCH_EMPTY_BLOCKS", "20"));
    DevAccounts accounts = DevAccounts.devNode();
    String rpc = env.getOrDefault("OPENLEDGER_EVM_RPC_URL", "http://127.0.0.1:8545");
    try (Chain chain = new Chain(rpc, DevAccounts.DEV_CHAIN_ID)) {
      Deployment deployment = Deployer.deployDev(chain, accounts);
      Path file = Files.createTempFile("bench-deployment", ".json");
      deployment.write(file);
      ScenarioDriver driver = new ScenarioDriver(chain, deployment);
      var payer = accounts.account(9);
      BigInteger open = BigInteger.TEN.pow(18);
      driver.fund(
          accounts.account(0), payer.getAddress(), open.multiply(BigInteger.valueOf(1_000_000)));
      long model =
          driver.registerModel(
              payer,
              List.of(driver.createDatanet(payer, "bench", BigInteger.ONE)),
              0,
              "bench-model");
      driver.payForInference(
          payer, model, open.multiply(BigInteger.valueOf(100_000)), new byte[] {1}, "file:///b");
      List<String> addresses = new ArrayList<>();
      for (int i = 0; i < payees; i++) {
        addresses.add("0x" + Keys.getAddress(Keys.createEcKeyPair()));
      }
      System.out.printf(
          "generating %d settlements of %d payees, %d empty blocks after each...%n",
          settles, payees, emptyBlocks);
      for (int s = 0; s < settles; s++) {
        // Each settlement pays the one-block window of the head (closed once the next is mined).
        long head = chain.web3().ethBlockNumber().send().getBlockNumber().longValueExact();
        driver.settle(
            accounts.account(1),
            head,
            head,
            0,
            1,
            addresses,
            Collections.nCopies(payees, BigInteger.ONE),
            Hash.sha3(("bench-" + s).getBytes(StandardCharsets.UTF_8)));
        chain.mine(emptyBlocks);
      }
      long head = chain.web3().ethBlockNumber().send().getBlockNumber().longValueExact();
      long blocks = head - deployment.startBlock() + 1;

      long t0 = System.nanoTime();
      long rawLogs = 0;
      for (long from = deployment.startBlock(); from <= head; from += 500) {
        EthFilter filter =
            new EthFilter(
                DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(Math.min(head, from + 499))),
                deployment.contractAddresses());
        rawLogs += chain.web3().ethGetLogs(filter).send().getLogs().size();
      }
      double rawSeconds = (System.nanoTime() - t0) / 1e9;

      // Pass 1 warms the JIT, the Kafka client and the registry subjects; pass 2 is measured.
      FollowRun warmUp = follow(chain, deployment, file, env, head);
      FollowRun measured = follow(chain, deployment, file, env, head);
      double followSeconds = measured.seconds();
      var rawSerde = measured.rawSerde();

      // Decoder work per record: Confluent Avro decode + ABI decode, no Kafka.
      ChainEventDecoder decoder =
          new ChainEventDecoder(
              deployment.contracts().entrySet().stream()
                  .collect(
                      java.util.stream.Collectors.toMap(
                          Map.Entry::getKey, e -> e.getValue().address())));
      List<byte[]> encoded = new ArrayList<>();
      for (long from = deployment.startBlock();
          from <= head && encoded.size() < 20_000;
          from += 500) {
        EthFilter filter =
            new EthFilter(
                DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(Math.min(head, from + 499))),
                deployment.contractAddresses());
        for (var r : chain.web3().ethGetLogs(filter).send().getLogs()) {
          encoded.add(
              rawSerde.encode(
                  org.openledger.bridge.chain.RawLogs.of(
                      (org.web3j.protocol.core.methods.response.Log) r.get(),
                      chain.chainId(),
                      0,
                      false)));
        }
      }
      for (byte[] b : encoded) {
        decoder.decode(rawSerde.decode(b)); // warm-up
      }
      long t2 = System.nanoTime();
      int rounds = 5;
      for (int i = 0; i < rounds; i++) {
        for (byte[] b : encoded) {
          decoder.decode(rawSerde.decode(b));
        }
      }
      double decodeSeconds = (System.nanoTime() - t2) / 1e9;
      Map<String, String> ceilingEnv = new java.util.HashMap<>(env);
      ceilingEnv.put("OPENLEDGER_DEPLOYMENT_FILE", file.toString());
      FollowerConfig ceilingConfig = FollowerConfig.load(ceilingEnv);
      double ceiling = kafkaCeiling(ceilingConfig, encoded, 2000);
      DecoderThroughKafka.Run decoderKafka =
          DecoderThroughKafka.run(ceilingConfig, measured.prefix(), measured.logs(), decoder, env);

      System.out.printf("%nrange: %d blocks, %d logs (node %s)%n", blocks, rawLogs, rpc);
      System.out.printf(
          "raw eth_getLogs scan (500-block ranges): %8.0f logs/s  (%.2f s)%n",
          rawLogs / rawSeconds, rawSeconds);
      System.out.printf(
          "follower into Kafka, exactly once:        %8.0f logs/s  (%.2f s, %d logs; warm-up pass %.2f s)%n",
          measured.logs() / followSeconds, followSeconds, measured.logs(), warmUp.seconds());
      System.out.printf(
          "follower / raw:                           %8.2f%n",
          (measured.logs() / followSeconds) / (rawLogs / rawSeconds));
      System.out.printf(
          "Kafka ceiling (same records, tx of 2000): %8.0f records/s; follower / ceiling %.2f%n",
          ceiling, (measured.logs() / followSeconds) / ceiling);
      System.out.printf(
          "decoder app through Kafka (exactly once): %8.0f records/s from start (first record"
              + " after %.2f s); %.0f records/s after the first%n",
          decoderKafka.fromStart(), decoderKafka.startSeconds(), decoderKafka.afterFirst());
      System.out.printf(
          "decoder stream thread CPU:                %8.2f s of %.2f s wall%n",
          decoderKafka.streamCpu(), decoderKafka.wall());
      double inMemory = encoded.size() * rounds / decodeSeconds;
      System.out.printf(
          "decoder work (Avro + ABI decode):         %8.0f records/s (%d records x %d)%n",
          inMemory, encoded.size(), rounds);
      System.out.printf(
          "decoder through Kafka / in memory:        %8.2f from start, %.2f after the first%n",
          decoderKafka.fromStart() / inMemory, decoderKafka.afterFirst() / inMemory);
    }
  }
}
