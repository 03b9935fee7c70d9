package org.openledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.openledger.events.AttributionMethod;
import org.openledger.events.BatchSettled;
import org.openledger.events.ChainEvent;
import org.openledger.events.ChainPosition;
import org.openledger.events.InferencePaid;
import org.openledger.events.ModelRegistered;
import org.openledger.events.ParamsChanged;
import org.openledger.events.ShareRule;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.domain.MerkleTree;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.flink.domain.SettlementWindows;

/**
 * The payment half of replay on a synthetic log (params, a model, two paid inferences with fixed
 * attributions, then the chain's {@code BatchSettled}): an honest batch matches, and a tampered
 * amount is reported as the first difference with the batch id, the payee and both amounts.
 */
class ReplayerTest {

  static final long CHAIN = 31337;
  static final String TREASURY = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";
  static final String OWNER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
  static final String CONTRIBUTOR = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";

  /** Contributor 7000 bps, owner 2000, protocol 1000; windows of 10 blocks from block 1. */
  static final String BATCH_ID =
      PayoutBatcher.batchId(CHAIN, new SettlementWindows.Window(1, 9), 0);

  @Test
  void shouldPrintMatchWhenTheChainPaidWhatTheLogGives() throws Exception {
    List<Replayer.Verdict> verdicts = replay(honestAmounts(), honestRoot());

    assertThat(verdicts).hasSize(1);
    assertThat(verdicts.get(0).matches()).isTrue();
    assertThat(verdicts.get(0).line())
        .isEqualTo(
            "batch "
                + BATCH_ID
                + " window 1-9 sub 0/1 settled at block 12: match (3 payees, total 2000 wei, root "
                + honestRoot()
                + ")");
  }

  @Test
  void shouldReportTheTamperedPayeeAsTheFirstDifferenceWhenTheChainPaidAnotherAmount()
      throws Exception {
    Map<String, BigInteger> tampered = honestAmounts();
    tampered.put(OWNER, BigInteger.valueOf(401));
    tampered.put(TREASURY, BigInteger.valueOf(199)); // the same total: only the split moved

    List<Replayer.Verdict> verdicts = replay(tampered, honestRoot());

    assertThat(verdicts).hasSize(1);
    assertThat(verdicts.get(0).matches()).isFalse();
    assertThat(verdicts.get(0).line())
        .isEqualTo(
            "batch "
                + BATCH_ID
                + " window 1-9 sub 0/1 settled at block 12: DIFFERENCE payee "
                + OWNER
                + ": expected 400 wei, on chain 401 wei");
  }

  @Test
  void shouldReportTheRootWhenOnlyTheRootWasTampered() throws Exception {
    String forged = "0x" + "ab".repeat(32);

    List<Replayer.Verdict> verdicts = replay(honestAmounts(), forged);

    assertThat(verdicts.get(0).difference())
        .contains("attribution root: expected " + honestRoot() + ", on chain " + forged);
  }

  @Test
  void shouldGiveTheSameVerdictsAndDigestWhenReplayedTwice() throws Exception {
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    first.add(run(honestAmounts(), honestRoot(), v -> first.add(v.line())).line());
    second.add(run(honestAmounts(), honestRoot(), v -> second.add(v.line())).line());

    assertThat(first).isEqualTo(second);
    assertThat(first.get(first.size() - 1)).contains("1 match, 0 differ");
  }

  @Test
  void shouldListAZeroWeiBatchWithoutCountingItAsADifferenceWhenNoWindowGivesIt() throws Exception {
    List<Replayer.Verdict> verdicts = new ArrayList<>();
    Replayer replayer = new Replayer(TREASURY, new FixedAttributions(), verdicts::add);
    String zeroId = PayoutBatcher.batchId(CHAIN, new SettlementWindows.Window(0, 0), 0);
    replayer.block(
        at(2, -1),
        List.of(
            event(
                BatchSettled.newBuilder()
                    .setPosition(at(2, 0))
                    .setBatchId(zeroId)
                    .setAttributionRoot("0x" + "11".repeat(32))
                    .setTotal(BigDecimal.ZERO)
                    .setPayees(List.of(CONTRIBUTOR))
                    .setAmounts(List.of(BigDecimal.ZERO))
                    .build())));

    Replayer.Summary summary = replayer.finish();

    assertThat(summary.differing()).isZero();
    assertThat(summary.zeroWei()).isEqualTo(1);
    assertThat(verdicts.get(0).line()).contains(zeroId, "zero-wei batch, nothing paid");
  }

  // --- the synthetic log ---------------------------------------------------------------------

  private static Map<String, BigInteger> honestAmounts() {
    Map<String, BigInteger> amounts = new TreeMap<>();
    amounts.put(CONTRIBUTOR, BigInteger.valueOf(1400)); // 2 x 700
    amounts.put(OWNER, BigInteger.valueOf(400)); // 2 x 200
    amounts.put(TREASURY, BigInteger.valueOf(200)); // 2 x 100
    return amounts;
  }

  /** The root the domain's leaves give: per payee in address order, each in inference order. */
  private static String honestRoot() {
    List<byte[]> leaves = new ArrayList<>();
    for (long inference : new long[] {1, 2}) {
      leaves.add(
          new PayoutLeaf(
                  CONTRIBUTOR,
                  inference,
                  PayoutLeaf.PayeeRole.CONTRIBUTOR,
                  11,
                  false,
                  BigInteger.valueOf(700))
              .hash());
    }
    for (long inference : new long[] {1, 2}) {
      leaves.add(
          new PayoutLeaf(
                  OWNER,
                  inference,
                  PayoutLeaf.PayeeRole.MODEL_OWNER,
                  0,
                  false,
                  BigInteger.valueOf(200))
              .hash());
    }
    for (long inference : new long[] {1, 2}) {
      leaves.add(
          new PayoutLeaf(
                  TREASURY,
                  inference,
                  PayoutLeaf.PayeeRole.PROTOCOL,
                  0,
                  false,
                  BigInteger.valueOf(100))
              .hash());
    }
    return MerkleTree.of(leaves).rootHex();
  }

  private static List<Replayer.Verdict> replay(Map<String, BigInteger> paid, String root)
      throws Exception {
    List<Replayer.Verdict> verdicts = new ArrayList<>();
    Replayer.Summary summary = run(paid, root, verdicts::add);
    assertThat(summary.batchesClosed()).isEqualTo(1);
    return verdicts;
  }

  private static Replayer.Summary run(
      Map<String, BigInteger> paid, String root, java.util.function.Consumer<Replayer.Verdict> out)
      throws Exception {
    Replayer replayer = new Replayer(TREASURY, new FixedAttributions(), out);
    replayer.block(
        at(1, -1),
        List.of(
            event(
                ParamsChanged.newBuilder()
                    .setPosition(at(1, 0))
                    .setVersion(1)
                    .setContributorBps(7000)
                    .setOwnerBps(2000)
                    .setProtocolBps(1000)
                    .setTopK(5)
                    .setSimilarityThresholdPpm(0)
                    .setDuplicateBoundPpm(990_000)
                    .setMinPayout(BigDecimal.ZERO)
                    .setSettlementWindowBlocks(10)
                    .setMaxPayeesPerBatch(200)
                    .setShareRule(ShareRule.LINEAR)
                    .setShareRuleParam(0)
                    .build()),
            event(
                ModelRegistered.newBuilder()
                    .setPosition(at(1, 1))
                    .setModelId(1)
                    .setOwner(OWNER)
                    .setName("m")
                    .setDatanetIds(List.of(1L))
                    .setMethod(AttributionMethod.EMBEDDING)
                    .build())));
    replayer.block(at(3, -1), List.of(fee(3, 1)));
    replayer.block(at(4, -1), List.of(fee(4, 2)));
    List<BigDecimal> amounts = new ArrayList<>();
    BigInteger total = BigInteger.ZERO;
    for (BigInteger a : paid.values()) {
      amounts.add(new BigDecimal(a));
      total = total.add(a);
    }
    replayer.block(
        at(12, -1),
        List.of(
            event(
                BatchSettled.newBuilder()
                    .setPosition(at(12, 0))
                    .setBatchId(BATCH_ID)
                    .setAttributionRoot(root)
                    .setTotal(new BigDecimal(total))
                    .setPayees(List.copyOf(paid.keySet()))
                    .setAmounts(amounts)
                    .build())));
    return replayer.finish();
  }

  private static ChainEvent fee(long block, long inference) {
    return event(
        InferencePaid.newBuilder()
            .setPosition(at(block, 0))
            .setInferenceId(inference)
            .setModelId(1)
            .setPayer(OWNER)
            .setFee(BigDecimal.valueOf(1000))
            .setQueryHash("0x" + "00".repeat(32))
            .setQueryUri("file:///q" + inference)
            .build());
  }

  private static ChainEvent event(SpecificRecord e) {
    return ChainEvent.newBuilder().setEvent(e).build();
  }

  private static ChainPosition at(long block, int logIndex) {
    return ChainPosition.newBuilder()
        .setChainId(CHAIN)
        .setBlockNumber(block)
        .setBlockHash(String.format("0x%064x", block))
        .setBlockTimestamp(1_700_000_000L + block)
        .setTxHash(String.format("0x%064x", block * 1000 + logIndex + 1))
        .setLogIndex(logIndex)
        .build();
  }

  /** Every inference attributed wholly to contribution 11 of {@link #CONTRIBUTOR}. */
  private static final class FixedAttributions implements Replayer.Attributor {
    private final List<InferencePaid> pending = new ArrayList<>();

    @Override
    public void apply(ChainEvent event) {
      if (event.getEvent() instanceof InferencePaid i) {
        pending.add(i);
      }
    }

    @Override
    public List<Attribution> seal(long block) {
      List<Attribution> out = new ArrayList<>();
      for (InferencePaid i : pending) {
        ChainPosition p = i.getPosition();
        out.add(
            new Attribution(
                i.getInferenceId(),
                p.getChainId(),
                p.getBlockNumber(),
                p.getBlockHash(),
                p.getBlockTimestamp(),
                p.getTxHash(),
                p.getLogIndex(),
                false,
                i.getModelId(),
                "fixed",
                "1",
                1,
                new long[] {11},
                new String[] {CONTRIBUTOR},
                new int[] {1},
                new long[] {900_000},
                new long[] {1},
                false));
      }
      pending.clear();
      return out;
    }
  }
}
