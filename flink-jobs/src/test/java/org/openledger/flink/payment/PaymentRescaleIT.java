package org.openledger.flink.payment;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.events.AttributionMethod;
import org.openledger.events.BlockSealed;
import org.openledger.events.ChainEvent;
import org.openledger.events.ChainPosition;
import org.openledger.events.InferencePaid;
import org.openledger.events.ModelRegistered;
import org.openledger.events.ParamsChanged;
import org.openledger.flink.PipelineApp;
import org.openledger.flink.attribution.AttributionJobIT;
import org.openledger.flink.config.PipelineConfig;
import org.openledger.pipeline.AttributedContribution;
import org.openledger.pipeline.AttributionResult;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.pipeline.PayoutBatch;
import org.openledger.pipeline.PayoutBatchLeaf;
import org.openledger.schemas.Topics;
import org.openledger.testing.LocalStack;

/**
 * The payment job rescaled on a Flink mini-cluster (2 task managers of 2 slots) over real Kafka and
 * registry: four chains' fees and results are fed in three parts; after the first the job is
 * stopped with a savepoint at parallelism 2 and resumed from it at 4, after the second stopped
 * again and resumed at 2. Its accruals, batches (ids, roots, totals, per chain in window order) and
 * leaves are those of a run at parallelism 1 throughout over the same input, nothing lost or
 * doubled, and every fee is split to the wei (contributors + model owner + protocol = fee).
 *
 * <p>The chain ids are picked so that their key groups lie one in each quarter of the 128: at
 * parallelism 2 each ledger subtask holds two chains, at 4 each holds one, so the first restore
 * splits each subtask's state over two subtasks (one chain moving to another subtask index) and the
 * second merges it back. The ledger's state at each stop holds fees waiting for their results
 * (which lag the fees by a few blocks), windows those fees keep open, small amounts carried over,
 * and from the second stop on two params versions.
 */
class PaymentRescaleIT {

  static final int MAX_PARALLELISM = PipelineConfig.MAX_PARALLELISM;
  static final long[] CHAINS = chainsOnePerQuarter();
  static final int INFERENCES = 30;

  /** The last block of the first part, and of the second; the third has the rest. */
  static final long FIRST_END = 12;

  static final long SECOND_END = 24;

  /** How many blocks a fee's result comes after it: a part's last fees wait in the savepoint. */
  static final long RESULT_LAG = 3;

  private static MiniCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_PORT, "0"); // never the 8081 of a running stack
    cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(2)
                .setNumSlotsPerTaskManager(2)
                .build());
    cluster.start();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void shouldPayTheSameToTheWeiWhenRescaledFromTwoToFourAndBackWithSavepoints(
      @TempDir Path savepoints) throws Exception {
    assertThat(Arrays.stream(CHAINS).map(c -> subtask(c, 4) * 10 + subtask(c, 2)).boxed().toList())
        .as("each chain on its own subtask at 4, two per subtask at 2, one changing index")
        .containsExactly(0L, 10L, 21L, 31L);
    BigInteger fees = BigInteger.ZERO;
    for (long chain : CHAINS) {
      for (int i = 1; i <= INFERENCES; i++) {
        fees = fees.add(fee(chain, i));
      }
    }

    // The reference: everything at once, parallelism 1 throughout.
    String plain = LocalStack.unique("rescale-p1") + ".";
    PipelineConfig reference = config(plain, 1);
    produce(reference, b -> true);
    JobClient once = start(reference, null);
    try {
      PaymentJobIT.readBatchesUntil(reference.topic(Topics.PAYOUT_BATCHES), plain, fees);
    } finally {
      once.cancel().get(30, TimeUnit.SECONDS);
    }
    List<PayoutAccrual> expectedAccruals = accruals(plain, 0);

    // The same input in three parts: 2 → savepoint → 4 → savepoint → 2.
    String rescaled = LocalStack.unique("rescale-2-4-2") + ".";
    // A fee is split once its result is in: these many accruals are committed after each part.
    long firstPart =
        expectedAccruals.stream().filter(a -> block(a) + RESULT_LAG <= FIRST_END).count();
    long firstTwo =
        expectedAccruals.stream().filter(a -> block(a) + RESULT_LAG <= SECOND_END).count();
    produce(config(rescaled, 2), b -> b <= FIRST_END);
    String first = runUntilThenStop(config(rescaled, 2), null, rescaled, firstPart, savepoints);
    produce(config(rescaled, 4), b -> b > FIRST_END && b <= SECOND_END);
    String second = runUntilThenStop(config(rescaled, 4), first, rescaled, firstTwo, savepoints);
    PipelineConfig last = config(rescaled, 2);
    produce(last, b -> b > SECOND_END);
    JobClient third = start(last, second);
    try {
      PaymentJobIT.readBatchesUntil(last.topic(Topics.PAYOUT_BATCHES), rescaled, fees);
    } finally {
      third.cancel().get(30, TimeUnit.SECONDS);
    }

    // Accruals: the same, none lost or doubled (their order across chains is the subtasks').
    List<PayoutAccrual> actualAccruals = accruals(rescaled, expectedAccruals.size());
    assertThat(sorted(actualAccruals)).isEqualTo(sorted(expectedAccruals));
    // Batches: per chain the same bodies in the same (window) order; ids, roots and totals with.
    assertThat(batchesByChain(rescaled)).isEqualTo(batchesByChain(plain));
    // Leaves: per batch the same, in leaf order.
    assertThat(leavesByBatch(rescaled)).isEqualTo(leavesByBatch(plain));

    // Every fee to the wei: its contributors (unless unattributed), model owner and protocol add
    // up to it.
    Map<String, BigInteger> split = new TreeMap<>();
    Map<String, Set<String>> roles = new TreeMap<>();
    for (PayoutAccrual a : actualAccruals) {
      assertThat(a.getRemoved()).isFalse();
      String inference = a.getPosition().getChainId() + "/" + a.getInferenceId();
      split.merge(inference, a.getAmount().toBigIntegerExact(), BigInteger::add);
      roles.computeIfAbsent(inference, k -> new TreeSet<>()).add(a.getRole().name());
    }
    Map<String, BigInteger> charged = new TreeMap<>();
    Map<String, Set<String>> payees = new TreeMap<>();
    for (long chain : CHAINS) {
      for (int i = 1; i <= INFERENCES; i++) {
        charged.put(chain + "/" + i, fee(chain, i));
        payees.put(
            chain + "/" + i,
            i % 5 == 0
                ? Set.of("MODEL_OWNER", "PROTOCOL")
                : Set.of("CONTRIBUTOR", "MODEL_OWNER", "PROTOCOL"));
      }
    }
    assertThat(split).isEqualTo(charged);
    assertThat(roles).isEqualTo(payees);
    BigInteger batched = BigInteger.ZERO;
    for (List<PayoutBatch> batches : decodedBatchesByChain(rescaled).values()) {
      for (PayoutBatch b : batches) {
        batched = batched.add(b.getTotal().toBigIntegerExact());
      }
    }
    assertThat(batched).isEqualTo(fees);
  }

  /**
   * Runs from {@code savepoint} (null: from the start) until {@code accruals} are committed, then
   * stops with a savepoint and returns its path once the job has ended.
   */
  private static String runUntilThenStop(
      PipelineConfig config, String savepoint, String prefix, long accruals, Path dir)
      throws Exception {
    JobClient job = start(config, savepoint);
    try {
      List<byte[]> seen =
          AttributionJobIT.readCommitted(
              prefix + Topics.PAYOUT_ACCRUALS.name(), Math.toIntExact(accruals), 0);
      assertThat(seen).as("accruals committed before the stop").hasSize((int) accruals);
      String path =
          job.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
              .get(60, TimeUnit.SECONDS);
      job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
      return path;
    } catch (Exception | AssertionError e) {
      job.cancel();
      throw e;
    }
  }

  /** The payment job on the mini-cluster at the config's parallelism, from {@code savepoint}. */
  private static JobClient start(PipelineConfig config, String savepoint) throws Exception {
    Configuration conf = new Configuration();
    if (savepoint != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    }
    StreamExecutionEnvironment env =
        new TestStreamEnvironment(cluster, conf, 1, List.of(), List.of());
    PipelineApp.configure(env, config);
    PipelineApp.paymentJob(config).build(env);
    return env.executeAsync(
        "payment-rescale-it " + config.topicPrefix() + " p=" + config.parallelism().getAsInt());
  }

  private static PipelineConfig config(String prefix, int parallelism) throws Exception {
    PipelineConfig config =
        PipelineConfig.load(
            Map.of(
                "OPENLEDGER_KAFKA_BOOTSTRAP",
                LocalStack.kafkaBootstrap(),
                "OPENLEDGER_REGISTRY_URL",
                LocalStack.registryUrl().toString(),
                "OPENLEDGER_TOPIC_PREFIX",
                prefix,
                "OPENLEDGER_PAYMENT_PROTOCOL_ADDRESS",
                PaymentJobIT.TREASURY,
                "OPENLEDGER_CHECKPOINT_INTERVAL_MS",
                "300",
                "OPENLEDGER_FLINK_PARALLELISM",
                Integer.toString(parallelism)),
            Optional.empty());
    PipelineApp.ensurePaymentTopics(config);
    return config;
  }

  /**
   * Every chain's events of the blocks {@code part} accepts, and the results whose block plus
   * {@link #RESULT_LAG} it accepts (attribution lags the chain), chain after chain.
   */
  private static void produce(PipelineConfig config, LongPredicate part) {
    List<ChainEvent> events = new ArrayList<>();
    List<AttributionResult> results = new ArrayList<>();
    for (long chain : CHAINS) {
      chain(chain).stream().filter(e -> part.test(block(e))).forEach(events::add);
      results(chain).stream()
          .filter(r -> part.test(r.getPosition().getBlockNumber() + RESULT_LAG))
          .forEach(results::add);
    }
    AttributionJobIT.produce(config.topic(Topics.CHAIN_EVENTS), events);
    PaymentJobIT.produce(
        config.topic(Topics.ATTRIBUTION_RESULTS), Topics.ATTRIBUTION_RESULTS, results);
  }

  /**
   * One chain's log: params (70/20/10 with a minimum payout that carries small payees over), a
   * model, a fee and seal per block, the split changed at block 16 (inside the second part), no
   * minimum from block 40, a last seal at 48 that closes every window.
   */
  static List<ChainEvent> chain(long chain) {
    List<ChainEvent> events = new ArrayList<>();
    events.add(params(chain, 1, 1, 7_000, 2_000, 3_000_000));
    events.add(
        of(
            ModelRegistered.newBuilder()
                .setPosition(at(chain, 1, 1))
                .setModelId(1)
                .setOwner(String.format("0x%040x", 0xb0L + chain))
                .setDatanetIds(List.of(1L))
                .setMethod(AttributionMethod.EMBEDDING)
                .setName("model 1")
                .build()));
    events.add(seal(chain, 1));
    for (int i = 1; i <= INFERENCES; i++) {
      long block = 1 + i;
      if (block == 16) {
        events.add(params(chain, block, 2, 5_000, 4_000, 3_000_000));
      }
      events.add(
          of(
              InferencePaid.newBuilder()
                  .setPosition(at(chain, block, 1))
                  .setInferenceId(i)
                  .setModelId(1)
                  .setPayer(PaymentJobIT.CONTRIBUTORS[0])
                  .setFee(new BigDecimal(fee(chain, i)))
                  .setQueryHash("0x" + "00".repeat(32))
                  .setQueryUri("file:///query-" + i)
                  .build()));
      events.add(seal(chain, block));
    }
    events.add(params(chain, 40, 3, 5_000, 4_000, 0));
    events.add(seal(chain, 48));
    return events;
  }

  /** One result per inference, every fifth unattributed; a part's results in reverse order. */
  static List<AttributionResult> results(long chain) {
    List<AttributionResult> out = new ArrayList<>();
    for (int i = 1; i <= INFERENCES; i++) {
      List<AttributedContribution> contributions = new ArrayList<>();
      int n = i % 5 == 0 ? 0 : 1 + (int) ((i + chain) % 3);
      for (int c = 0; c < n; c++) {
        contributions.add(
            AttributedContribution.newBuilder()
                .setContributionId(10L * i + c)
                .setContributor(PaymentJobIT.CONTRIBUTORS[(int) ((i + c + chain) % 3)])
                .setRank(c + 1)
                .setScorePpm(900_000 - 100_000L * c)
                .setWeight(900_000 - 100_000L * c)
                .build());
      }
      out.add(
          AttributionResult.newBuilder()
              .setInferenceId(i)
              .setPosition(at(chain, 1 + i, 1))
              .setModelId(1)
              .setEncoderId("hashing-ngram")
              .setEncoderVersion("1")
              .setParamsVersion(1 + i < 16 ? 1 : 2)
              .setContributions(contributions)
              .setUnattributed(n == 0)
              .build());
    }
    java.util.Collections.reverse(out);
    return out;
  }

  static BigInteger fee(long chain, long inference) {
    return BigInteger.valueOf(1_000_003L * inference + 7 + 13 * (chain % 1000));
  }

  /** The first four chain ids from 1337 on whose key groups fall one in each quarter. */
  static long[] chainsOnePerQuarter() {
    long[] chains = new long[4];
    int found = 0;
    for (long c = 1337; found < 4; c++) {
      int quarter = KeyGroupRangeAssignment.assignToKeyGroup(c, MAX_PARALLELISM) / 32;
      if (chains[quarter] == 0) {
        chains[quarter] = c;
        found++;
      }
    }
    return chains;
  }

  /** The ledger subtask of {@code chain} at {@code parallelism} (the key is the boxed chain id). */
  static long subtask(long chain, int parallelism) {
    return KeyGroupRangeAssignment.assignKeyToParallelOperator(chain, MAX_PARALLELISM, parallelism);
  }

  private static ChainPosition at(long chain, long block, int logIndex) {
    return ChainPosition.newBuilder()
        .setChainId(chain)
        .setBlockNumber(block)
        .setBlockHash(String.format("0x%032x%032x", chain, block))
        .setBlockTimestamp(1_700_000_000L + block)
        .setTxHash(String.format("0x%032x%032x", chain, block * 1000 + logIndex))
        .setLogIndex(logIndex)
        .build();
  }

  private static ChainEvent of(Object event) {
    return ChainEvent.newBuilder().setEvent(event).build();
  }

  private static ChainEvent seal(long chain, long block) {
    return of(BlockSealed.newBuilder().setPosition(at(chain, block, -1)).build());
  }

  private static ChainEvent params(
      long chain, long block, long version, int contributorBps, int ownerBps, long minPayout) {
    return of(
        ParamsChanged.newBuilder()
            .setPosition(at(chain, block, 0))
            .setVersion(version)
            .setContributorBps(contributorBps)
            .setOwnerBps(ownerBps)
            .setProtocolBps(10_000 - contributorBps - ownerBps)
            .setTopK(3)
            .setSimilarityThresholdPpm(100_000)
            .setDuplicateBoundPpm(990_000)
            .setMinPayout(new BigDecimal(minPayout))
            .setSettlementWindowBlocks(8)
            .setMaxPayeesPerBatch(2)
            .build());
  }

  private static long block(ChainEvent e) {
    Object event = e.getEvent();
    try {
      return ((ChainPosition) event.getClass().getMethod("getPosition").invoke(event))
          .getBlockNumber();
    } catch (ReflectiveOperationException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static long block(PayoutAccrual a) {
    return a.getPosition().getBlockNumber();
  }

  /** The committed accruals under {@code prefix}: at least {@code expected}, then quiet polls. */
  private static List<PayoutAccrual> accruals(String prefix, int expected) {
    return PaymentJobIT.decode(
        Topics.PAYOUT_ACCRUALS,
        prefix,
        AttributionJobIT.readCommitted(prefix + Topics.PAYOUT_ACCRUALS.name(), expected, 4),
        PayoutAccrual.class);
  }

  private static List<String> sorted(List<PayoutAccrual> accruals) {
    return accruals.stream()
        .sorted(
            Comparator.comparing((PayoutAccrual a) -> a.getPosition().getChainId())
                .thenComparing(PayoutAccrual::getInferenceId)
                .thenComparing(a -> a.getRole().name())
                .thenComparing(PayoutAccrual::getPayee)
                .thenComparing(a -> String.valueOf(a.getContributionId())))
        .map(PayoutAccrual::toString)
        .toList();
  }

  private static Map<Long, List<PayoutBatch>> decodedBatchesByChain(String prefix) {
    List<PayoutBatch> all =
        PaymentJobIT.decode(
            Topics.PAYOUT_BATCHES,
            prefix,
            AttributionJobIT.readCommitted(prefix + Topics.PAYOUT_BATCHES.name(), 1, 4),
            PayoutBatch.class);
    Map<Long, List<PayoutBatch>> byChain = new TreeMap<>();
    for (PayoutBatch b : all) {
      byChain.computeIfAbsent(b.getChainId(), c -> new ArrayList<>()).add(b);
    }
    return byChain;
  }

  /** Per chain, its batches in topic order (window order), each as its full record. */
  private static Map<Long, List<String>> batchesByChain(String prefix) {
    Map<Long, List<String>> out = new TreeMap<>();
    decodedBatchesByChain(prefix)
        .forEach(
            (chain, batches) -> out.put(chain, batches.stream().map(Object::toString).toList()));
    assertThat(out).as("batches of every chain").hasSize(CHAINS.length);
    return out;
  }

  /** Per batch id, its leaves in topic order. */
  private static Map<String, List<String>> leavesByBatch(String prefix) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (PayoutBatchLeaf l :
        PaymentJobIT.decode(
            Topics.PAYOUT_BATCH_LEAVES,
            prefix,
            AttributionJobIT.readCommitted(prefix + Topics.PAYOUT_BATCH_LEAVES.name(), 1, 4),
            PayoutBatchLeaf.class)) {
      out.computeIfAbsent(l.getBatchId(), k -> new ArrayList<>()).add(l.toString());
    }
    return out;
  }
}
