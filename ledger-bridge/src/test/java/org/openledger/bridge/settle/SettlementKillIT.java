package org.openledger.bridge.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.bridge.deploy.Deployer;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.deploy.DeploymentPlan;
import org.openledger.bridge.scenario.ScenarioDriver;
import org.openledger.pipeline.DeadLetter;
import org.openledger.pipeline.PayoutBatch;
import org.openledger.schemas.TopicBootstrap;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.LocalStack;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/**
 * The settlement writer killed with SIGKILL again and again while it settles a stream of batches on
 * the real dev node (mining every two seconds, so kills land before a send, between a send and its
 * receipt, between a proposal and its finalization, and between a receipt and the offset commit).
 * Every valid batch is proposed and settled exactly once on chain, every payee's balance is exactly
 * what the batches pay, and the refused batches (over the window's cap, malformed payee, invented
 * id, a window after a later one) are dead letters named by the contract's error while later
 * batches keep flowing; the last window is not closed when the writer first meets it, and is waited
 * for.
 */
class SettlementKillIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);
  private static final int BATCHES = 24;
  private static final int SHORTFALL = 7;
  private static final int INVENTED = 11;
  private static final int MALFORMED = 15;
  private static final int OUT_OF_ORDER = 20;
  private static final List<Integer> REFUSED =
      List.of(SHORTFALL, INVENTED, MALFORMED, OUT_OF_ORDER);

  @Test
  void shouldSettleEachBatchExactlyOnceAcrossKills(@TempDir Path dir) throws Exception {
    DevAccounts accounts = DevAccounts.devNode();
    String rpc = LocalStack.evmRpcUrl().toString();
    try (Chain chain = new Chain(rpc, LocalStack.evmChainId())) {
      // A one-block challenge window: each batch is proposed, waits a block, and is finalized.
      DeploymentPlan.Challenge challenge = DeploymentPlan.DEV_CHALLENGE;
      Deployment deployment =
          Deployer.deployDev(
              chain,
              accounts,
              new DeploymentPlan.Challenge(
                  1,
                  challenge.proposerBond(),
                  challenge.challengerBond(),
                  challenge.settlerFunds()));
      Path file = dir.resolve("deployment.json");
      deployment.write(file);
      ScenarioDriver driver = new ScenarioDriver(chain, deployment);
      var payer = accounts.account(9);
      BigInteger escrow = OPEN.multiply(BigInteger.valueOf(1_000));
      driver.fund(accounts.account(0), payer.getAddress(), escrow);
      long datanet = driver.createDatanet(payer, "settle-kill", BigInteger.ONE);
      long model = driver.registerModel(payer, List.of(datanet), 0, "settle-kill-model");
      driver.payForInference(
          payer, model, escrow, "q".getBytes(StandardCharsets.UTF_8), "file:///q");
      // One-block windows after the fee, closed now but the last, which closes ~20 blocks on.
      long base = chain.web3().ethBlockNumber().send().getBlockNumber().longValueExact();
      chain.mine(BATCHES + 5);

      String name = LocalStack.unique("settle-kill");
      Random random = new Random(7);
      List<PayoutBatch> batches = batches(name, random, escrow, base, base + BATCHES + 5 + 20);
      produce(name, batches);
      Path logs = Files.createDirectories(Path.of("target", "settle-kill", name));
      Path state = dir.resolve("state");

      Map<String, Integer> killedAfter = new LinkedHashMap<>();
      dev(rpc, "evm_setAutomine", List.of(false));
      dev(rpc, "evm_setIntervalMining", List.of(2));
      try {
        int kills = 0;
        String step = "before a send";
        while (kills < 12) {
          Path log = logs.resolve("writer-" + kills + ".log");
          Process writer = start(name, file, state, log);
          await(log, "settling batches from");
          Thread.sleep(200 + random.nextInt(3_500));
          writer.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, nothing flushed
          step = lastStep(log, step);
          killedAfter.merge(step, 1, Integer::sum);
          kills++;
        }
        Process last = start(name, file, state, logs.resolve("writer-last.log"));
        try {
          // Done when the last batch's offset is committed, by this writer or (batches are
          // pipelined) by a killed one before it.
          awaitAny(logs, "offset " + (BATCHES - 1) + " committed: batch ");
        } finally {
          last.destroyForcibly().waitFor();
        }
      } finally {
        dev(rpc, "evm_setIntervalMining", List.of(0));
        dev(rpc, "evm_setAutomine", List.of(true));
      }
      System.out.println("settlement writer SIGKILLed after: " + killedAfter);

      Map<String, Integer> settledEvents = settledEvents(chain, deployment);
      Map<String, BigInteger> expected = new HashMap<>();
      for (int i = 0; i < BATCHES; i++) {
        PayoutBatch b = batches.get(i);
        boolean refused = REFUSED.contains(i);
        assertThat(settledEvents.getOrDefault(b.getBatchId(), 0))
            .as("BatchSettled events of batch %d", i)
            .isEqualTo(refused ? 0 : 1);
        if (!refused) {
          for (int p = 0; p < b.getPayees().size(); p++) {
            expected.merge(
                b.getPayees().get(p), b.getAmounts().get(p).toBigIntegerExact(), BigInteger::add);
          }
        }
      }
      for (Map.Entry<String, BigInteger> e : expected.entrySet()) {
        assertThat(driver.token(payer).balanceOf(e.getKey()).send())
            .as("balance of %s", e.getKey())
            .isEqualTo(e.getValue());
      }
      List<DeadLetter> dead = deadLetters(name);
      assertThat(dead)
          .extracting(DeadLetter::getSourceOffset)
          .containsAll(REFUSED.stream().map(Long::valueOf).toList());
      Map<Integer, String> why =
          Map.of(
              SHORTFALL, "WindowCapExceeded",
              INVENTED, "BatchIdMismatch",
              MALFORMED, "payee",
              OUT_OF_ORDER, "WindowOutOfOrder");
      why.forEach(
          (offset, reason) ->
              assertThat(dead)
                  .filteredOn(d -> d.getSourceOffset() == offset.longValue())
                  .allMatch(d -> d.getReason().contains(reason)));
    }
  }

  /**
   * Batches of one to four fresh payees, batch i for the one-block window base + 1 + i (the last
   * one's window runs to {@code lastEnd}); one asks more than the fees, one has an invented id, one
   * a bad payee, one comes back to an earlier window.
   */
  private static List<PayoutBatch> batches(
      String name, Random random, BigInteger escrow, long base, long lastEnd) {
    List<PayoutBatch> out = new ArrayList<>();
    for (int i = 0; i < BATCHES; i++) {
      int n = 1 + random.nextInt(4);
      List<String> payees = new ArrayList<>();
      List<BigDecimal> amounts = new ArrayList<>();
      BigInteger total = BigInteger.ZERO;
      for (int p = 0; p < n; p++) {
        payees.add(String.format("0x%040x", new BigInteger(150, random).add(BigInteger.ONE)));
        BigInteger amount =
            i == SHORTFALL
                ? escrow.multiply(BigInteger.TWO)
                : BigInteger.valueOf(1 + random.nextInt(1_000_000));
        amounts.add(new BigDecimal(amount));
        total = total.add(amount);
      }
      payees.sort(String::compareTo);
      if (i == MALFORMED) {
        payees.set(0, "alice.eth");
      }
      long start = base + 1 + (i == OUT_OF_ORDER ? 3 : i);
      long end = i == BATCHES - 1 ? lastEnd : start;
      int subBatch = i == OUT_OF_ORDER ? 1 : 0;
      long chainId = LocalStack.evmChainId();
      out.add(
          PayoutBatch.newBuilder()
              .setBatchId(
                  i == INVENTED
                      ? Hash.sha3String(name + ":" + i)
                      : WindowBatchId.hex(chainId, start, end, subBatch))
              .setChainId(chainId)
              .setWindowStart(start)
              .setWindowEnd(end)
              .setSubBatch(subBatch)
              .setSubBatchCount(subBatch + 1)
              .setPayees(payees)
              .setAmounts(amounts)
              .setTotal(new BigDecimal(total))
              .setMerkleRoot(Hash.sha3String("root:" + i))
              .build());
    }
    return out;
  }

  private static void produce(String name, List<PayoutBatch> batches) throws Exception {
    String topic = name + "." + Topics.PAYOUT_BATCHES.name();
    TopicBootstrap.ensure(LocalStack.kafkaBootstrap(), List.of(new NewTopic(topic, 1, (short) 1)));
    var serde =
        new ConfluentAvroSerde<>(
            Topics.PAYOUT_BATCHES.withName(topic),
            new SchemaRegistryClient(LocalStack.registryUrl()),
            PayoutBatch.class);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (PayoutBatch b : batches) {
        producer.send(new ProducerRecord<>(topic, b.getBatchId(), serde.encode(b))).get();
      }
    }
  }

  private static Map<String, Integer> settledEvents(Chain chain, Deployment deployment)
      throws Exception {
    EthFilter filter =
        new EthFilter(
            DefaultBlockParameterName.EARLIEST,
            DefaultBlockParameterName.LATEST,
            deployment.address("Settlement"));
    filter.addSingleTopic(EventEncoder.encode(Settlement.BATCHSETTLED_EVENT));
    Map<String, Integer> count = new HashMap<>();
    for (EthLog.LogResult<?> r : chain.web3().ethGetLogs(filter).send().getLogs()) {
      var log = (org.web3j.protocol.core.methods.response.Log) r.get();
      count.merge(log.getTopics().get(1), 1, Integer::sum);
    }
    return count;
  }

  private static List<DeadLetter> deadLetters(String name) throws Exception {
    String topic = name + "." + Topics.DEAD_LETTERS.name();
    var serde =
        new ConfluentAvroSerde<>(
            Topics.DEAD_LETTERS.withName(topic),
            new SchemaRegistryClient(LocalStack.registryUrl()),
            DeadLetter.class);
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<DeadLetter> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          out.add(serde.decode(r.value()));
        }
      }
    }
    return out;
  }

  /**
   * Where in a batch's life the kill landed, from what the killed run last logged; a run that
   * logged no step was still where the run before it left off (e.g. waiting for a receipt).
   */
  private static String lastStep(Path log, String before) throws Exception {
    List<String> lines = Files.readAllLines(log);
    for (int i = lines.size() - 1; i >= 0; i--) {
      String l = lines.get(i);
      if (l.contains(": sending ") || l.contains("re-broadcasting")) {
        return "after a send, before its receipt";
      } else if (l.contains(" settled by ")
          || l.contains("already settled")
          || l.contains("waiting for 1 confirmations")) {
        return "after a receipt, before the offset commit";
      } else if (l.contains(" proposed by ") || l.contains("challenge window open")) {
        return "after the proposal, before the finalization";
      } else if (l.contains(" committed: ")) {
        return "after a commit, before the next send";
      } else if (l.contains("settling batches from")) {
        return before;
      }
    }
    return before;
  }

  private static void await(Path log, String text) throws Exception {
    // each batch now takes a proposal, its challenge window and a finalization
    long deadline = System.nanoTime() + 360_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + text + "' in " + log + ":\n" + Files.readString(log));
  }

  private static void awaitAny(Path logs, String text) throws Exception {
    long deadline = System.nanoTime() + 360_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (var files = Files.list(logs)) {
        for (Path log : files.toList()) {
          if (Files.readString(log).contains(text)) {
            return;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + text + "' in the writers' logs in " + logs);
  }

  private static Process start(String name, Path deployment, Path state, Path log)
      throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dlog4j2.configurationFile=log4j2.xml",
            "-cp",
            System.getProperty("java.class.path"),
            SettlementApp.class.getName());
    builder
        .environment()
        .putAll(
            Map.of(
                "OPENLEDGER_EVM_RPC_URL", LocalStack.evmRpcUrl().toString(),
                "OPENLEDGER_KAFKA_BOOTSTRAP", LocalStack.kafkaBootstrap(),
                "OPENLEDGER_REGISTRY_URL", LocalStack.registryUrl().toString(),
                "OPENLEDGER_DEPLOYMENT_FILE", deployment.toString(),
                "OPENLEDGER_TOPIC_PREFIX", name + ".",
                "OPENLEDGER_SETTLEMENT_STATE_DIR", state.toString(),
                "OPENLEDGER_SETTLEMENT_METRICS_PORT", "0",
                "OPENLEDGER_SETTLEMENT_STUCK_AFTER_MS", "4000",
                "OPENLEDGER_SETTLEMENT_CONFIRMATIONS", "1"));
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    Files.deleteIfExists(log);
    return builder.start();
  }

  private static void dev(String rpc, String method, List<?> params) throws Exception {
    var response = new Request<>(method, params, new HttpService(rpc), VoidResponse.class).send();
    if (response.hasError()) {
      throw new IllegalStateException(method + ": " + response.getError().getMessage());
    }
  }
}
