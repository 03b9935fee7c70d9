package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openledger.flink.attribution.Rejection;
import org.openledger.flink.domain.FeeSplit;
import org.openledger.flink.domain.PaymentParams;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.flink.payment.Accrual;
import org.openledger.flink.payment.PaymentInput;
import org.openledger.flink.payment.Position;

/** The payment ledger in Flink's keyed harness: joins, splits, windows, reorgs and restores. */
class PaymentOperatorTest {

  static final long CHAIN = 1337;
  static final String TREASURY = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";
  static final String OWNER = "0x00000000000000000000000000000000000000aa";
  static final String NEW_OWNER = "0x00000000000000000000000000000000000000bb";
  static final String ALICE = "0x000000000000000000000000000000000000a11c";
  static final String BOB = "0x0000000000000000000000000000000000000b0b";

  private final List<KeyedOneInputStreamOperatorTestHarness<Long, PaymentInput, Accrual>> open =
      new ArrayList<>();

  @AfterEach
  void closeHarnesses() throws Exception {
    for (var h : open) {
      h.close();
    }
  }

  static Position at(long block, int logIndex) {
    return new Position(
        CHAIN, block, String.format("0x%064x", block), 1_700_000_000 + block, "0xt", logIndex);
  }

  static PaymentInput params(long version, long block, int c, int o, long window, long min) {
    Position p = at(block, 0);
    return new PaymentInput(
        PaymentInput.Kind.PARAMS,
        false,
        p,
        null,
        null,
        new PaymentParams(
            version,
            block,
            p.eventId(),
            new FeeSplit.Bps(c, o, 10_000 - c - o),
            BigInteger.valueOf(min),
            window,
            2),
        null);
  }

  static PaymentInput owner(long block, long model, String address) {
    return new PaymentInput(
        PaymentInput.Kind.OWNER,
        false,
        at(block, 1),
        null,
        null,
        null,
        new PaymentInput.Owner(model, address));
  }

  static PaymentInput fee(long id, long block, long wei) {
    return feeAt(id, at(block, 2 + (int) id), wei);
  }

  static PaymentInput result(long id, long block, FeeSplit.Share... shares) {
    return resultAt(id, at(block, 2 + (int) id), shares);
  }

  /** A fee at a given position: after a reorg the other branch reuses the inference id. */
  static PaymentInput feeAt(long id, Position p, long wei) {
    return new PaymentInput(
        PaymentInput.Kind.FEE,
        false,
        p,
        new PaymentInput.Fee(id, 1, BigInteger.valueOf(wei)),
        null,
        null,
        null);
  }

  static PaymentInput resultAt(long id, Position p, FeeSplit.Share... shares) {
    return new PaymentInput(
        PaymentInput.Kind.RESULT,
        false,
        p,
        null,
        new PaymentInput.Result(id, 1, List.of(shares)),
        null,
        null);
  }

  static PaymentInput seal(long block) {
    return new PaymentInput(PaymentInput.Kind.SEAL, false, at(block, -1), null, null, null, null);
  }

  static PaymentInput removed(PaymentInput in) {
    return new PaymentInput(
        in.kind(), true, in.position(), in.fee(), in.result(), in.params(), in.owner());
  }

  static FeeSplit.Share share(long contribution, String contributor, long weight) {
    return new FeeSplit.Share(contribution, contributor, weight);
  }

  KeyedOneInputStreamOperatorTestHarness<Long, PaymentInput, Accrual> harness(
      OperatorSubtaskState restore) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new PaymentOperator(TREASURY, 0)),
            PaymentInput::chainId,
            Types.LONG);
    if (restore != null) {
      h.initializeState(restore);
    }
    h.open();
    open.add(h);
    return h;
  }

  /**
   * A ledger with the usual rules in force from block 1 (70/20/10, 10-block windows, no minimum
   * payout) and model 1's owner.
   */
  KeyedOneInputStreamOperatorTestHarness<Long, PaymentInput, Accrual> ledger() throws Exception {
    var h = harness(null);
    send(h, params(1, 1, 7_000, 2_000, 10, 0), owner(1, 1, OWNER));
    return h;
  }

  static void send(
      KeyedOneInputStreamOperatorTestHarness<Long, PaymentInput, Accrual> h, PaymentInput... inputs)
      throws Exception {
    for (PaymentInput in : inputs) {
      h.processElement(in, in.block());
    }
  }

  static List<PayoutBatcher.Batch> batches(
      KeyedOneInputStreamOperatorTestHarness<Long, PaymentInput, Accrual> h) {
    Queue<StreamRecord<PayoutBatcher.Batch>> side = h.getSideOutput(PaymentOperator.BATCHES);
    List<PayoutBatcher.Batch> out = new ArrayList<>();
    if (side != null) {
      side.forEach(r -> out.add(r.getValue()));
    }
    return out;
  }

  static List<Rejection> rejections(
      KeyedOneInputStreamOperatorTestHarness<Long, PaymentInput, Accrual> h) {
    Queue<StreamRecord<Rejection>> side = h.getSideOutput(PaymentOperator.REJECTED);
    List<Rejection> out = new ArrayList<>();
    if (side != null) {
      side.forEach(r -> out.add(r.getValue()));
    }
    return out;
  }

  static BigInteger net(List<Accrual> accruals) {
    BigInteger s = BigInteger.ZERO;
    for (Accrual a : accruals) {
      s = a.removed() ? s.subtract(a.leaf().amount()) : s.add(a.leaf().amount());
    }
    return s;
  }

  static BigInteger batched(List<PayoutBatcher.Batch> batches) {
    return batches.stream()
        .map(PayoutBatcher.Batch::total)
        .reduce(BigInteger.ZERO, BigInteger::add);
  }

  @Test
  void shouldSplitAFeeToTheWeiWhicheverOfFeeAndResultArrivesFirst() throws Exception {
    var h = harness(null);
    send(h, params(1, 1, 7_000, 2_000, 10, 0), owner(2, 1, OWNER));
    send(h, result(1, 3, share(7, ALICE, 2), share(8, BOB, 1)), fee(1, 3, 1_000));
    send(h, fee(2, 4, 999), result(2, 4, share(7, ALICE, 1)));
    List<Accrual> out = h.extractOutputValues();
    assertThat(net(out)).isEqualTo(BigInteger.valueOf(1_999));
    assertThat(out.stream().filter(a -> a.leaf().inferenceId() == 1).map(a -> a.leaf().amount()))
        .containsExactly(big(467), big(233), big(200), big(100));
    assertThat(out).allMatch(a -> a.paramsVersion() == 1);
  }

  @Test
  void shouldCloseAWindowOnlyWhenSealedPastItsEndAndEveryFeeHasItsResult() throws Exception {
    var h = ledger();
    send(h, fee(1, 5, 1_000));
    send(h, seal(8));
    send(h, result(1, 5, share(7, ALICE, 1)));
    assertThat(batches(h)).isEmpty(); // a fee at block 9 could still come
    send(h, fee(2, 9, 0), seal(9));
    assertThat(batches(h)).isEmpty(); // sealed to its end, but waiting for inference 2's result
    send(h, result(2, 9));
    List<PayoutBatcher.Batch> batches = batches(h);
    assertThat(batches).hasSize(2); // three payees, at most two per batch
    assertThat(batches.get(0).window().start()).isEqualTo(1);
    assertThat(batches.get(0).window().end()).isEqualTo(9);
    assertThat(batched(batches)).isEqualTo(big(1_000));
    assertThat(batches.stream().flatMap(b -> b.payees().stream()))
        .containsExactly(OWNER, ALICE, TREASURY); // sorted by address
  }

  @Test
  void shouldPayTheUnattributedPoolToTheProtocolAndFlagIt() throws Exception {
    var h = ledger();
    send(h, fee(1, 5, 1_000), result(1, 5));
    List<Accrual> out = h.extractOutputValues();
    assertThat(out)
        .filteredOn(a -> a.leaf().unattributed())
        .singleElement()
        .satisfies(a -> assertThat(a.leaf().payee()).isEqualTo(TREASURY))
        .satisfies(a -> assertThat(a.leaf().amount()).isEqualTo(big(700)));
    assertThat(net(out)).isEqualTo(big(1_000));
  }

  @Test
  void shouldUseTheParamsAndOwnerInForceAtEachInferencesBlock() throws Exception {
    var h = harness(null);
    send(h, params(1, 1, 7_000, 2_000, 100, 0), owner(1, 1, OWNER));
    send(h, params(2, 20, 5_000, 4_000, 100, 0), owner(21, 1, NEW_OWNER));
    send(h, fee(1, 10, 1_000), result(1, 10, share(7, ALICE, 1)));
    send(h, fee(2, 30, 1_000), result(2, 30, share(7, ALICE, 1)));
    List<Accrual> out = h.extractOutputValues();
    assertThat(out)
        .filteredOn(a -> a.leaf().inferenceId() == 1)
        .extracting(a -> a.leaf().payee() + "=" + a.leaf().amount() + "@v" + a.paramsVersion())
        .containsExactly(ALICE + "=700@v1", OWNER + "=200@v1", TREASURY + "=100@v1");
    assertThat(out)
        .filteredOn(a -> a.leaf().inferenceId() == 2)
        .extracting(a -> a.leaf().payee() + "=" + a.leaf().amount() + "@v" + a.paramsVersion())
        .containsExactly(ALICE + "=500@v2", NEW_OWNER + "=400@v2", TREASURY + "=100@v2");
  }

  @Test
  void shouldCarryAPayeeUnderTheMinimumPayoutToALaterWindow() throws Exception {
    var h = harness(null);
    send(h, params(1, 0, 10_000, 0, 10, 500), owner(0, 1, OWNER));
    send(h, fee(1, 5, 300), result(1, 5, share(7, ALICE, 1)), seal(10));
    assertThat(batches(h)).isEmpty();
    send(h, fee(2, 15, 300), result(2, 15, share(7, ALICE, 1)), seal(20));
    assertThat(batches(h))
        .singleElement()
        .satisfies(b -> assertThat(b.amounts()).containsExactly(big(600)))
        .satisfies(b -> assertThat(b.leaves()).hasSize(2))
        .satisfies(b -> assertThat(b.window().start()).isEqualTo(10));
  }

  @Test
  void shouldRetractAccrualsWhenAReorgRemovesAnOpenWindowsFee() throws Exception {
    var h = ledger();
    PaymentInput fee = fee(1, 5, 1_000);
    PaymentInput result = result(1, 5, share(7, ALICE, 1));
    send(h, fee, result);
    send(h, removed(fee), removed(result), seal(10));
    assertThat(net(h.extractOutputValues())).isZero();
    assertThat(h.extractOutputValues()).filteredOn(Accrual::removed).hasSize(3);
    assertThat(batches(h)).isEmpty();
    assertThat(rejections(h)).isEmpty();
  }

  @Test
  void shouldDeadLetterAReorgBelowAClosedWindow() throws Exception {
    var h = ledger();
    PaymentInput fee = fee(1, 5, 1_000);
    send(h, fee);
    send(h, result(1, 5, share(7, ALICE, 1)), seal(10), removed(fee));
    assertThat(batched(batches(h))).isEqualTo(big(1_000));
    assertThat(rejections(h))
        .singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("deeper than payment.finality.blocks"));
  }

  @Test
  void shouldIgnoreALateResultRetractionWhenTheFeesRetractionHandledItAndTheIdWasReused()
      throws Exception {
    var h = ledger();
    PaymentInput oldFee = fee(1, 5, 1_000);
    PaymentInput oldResult = result(1, 5, share(7, ALICE, 1));
    send(h, oldFee, oldResult);
    // The reorg: the fee's retraction comes first (chain.events), the other branch reuses id 1,
    // and the old result's retraction (attribution.results) arrives late, before and after close.
    PaymentInput newFee = feeAt(1, at(7, 9), 2_000);
    PaymentInput newResult = resultAt(1, at(7, 9), share(8, ALICE, 1));
    send(h, removed(oldFee), newFee, newResult, removed(oldResult), seal(10), removed(oldResult));

    assertThat(rejections(h)).isEmpty();
    assertThat(net(h.extractOutputValues())).isEqualTo(big(2_000));
    assertThat(batched(batches(h))).isEqualTo(big(2_000));
  }

  @Test
  void shouldPairAFeeOnlyWithTheResultOfItsOwnBranchWhenResultsLagBehindAReorg() throws Exception {
    var h = ledger();
    PaymentInput oldFee = fee(1, 5, 1_000);
    PaymentInput oldResult = result(1, 5, share(7, ALICE, 1));
    PaymentInput newFee = feeAt(1, at(7, 9), 2_000);
    PaymentInput newResult = resultAt(1, at(7, 9), share(8, BOB, 1));
    // Chain events run ahead: the old fee comes and goes and the new one arrives before any
    // result; then the old result, its retraction and the new result.
    send(h, oldFee, removed(oldFee));
    send(h, newFee, oldResult, removed(oldResult), newResult, seal(10));

    List<Accrual> out = h.extractOutputValues();
    assertThat(out).noneMatch(Accrual::removed);
    assertThat(out)
        .filteredOn(a -> role(a) == PayoutLeaf.PayeeRole.CONTRIBUTOR)
        .extracting(a -> a.leaf().payee())
        .containsExactly(BOB);
    assertThat(batched(batches(h))).isEqualTo(big(2_000));
    assertThat(rejections(h)).isEmpty();
  }

  @Test
  void shouldKeepBothIncarnationsOfAReusedInferenceIdUntilTheOldBranchIsRetracted()
      throws Exception {
    var h = ledger();
    PaymentInput oldFee = fee(1, 5, 1_000);
    PaymentInput oldResult = result(1, 5, share(7, ALICE, 1));
    // The other branch reuses inference id 1 at the same height (another block hash) and is fully
    // accrued before either retraction of the old branch arrives: both incarnations are live.
    Position other =
        new Position(CHAIN, 5, String.format("0x%064x", 0xb5), 1_700_000_005, "0xu", 3);
    PaymentInput newFee = feeAt(1, other, 2_000);
    PaymentInput newResult = resultAt(1, other, share(8, BOB, 1));
    send(h, oldFee, oldResult, newFee, newResult);
    assertThat(net(h.extractOutputValues())).isEqualTo(big(3_000));
    send(h, removed(oldFee), removed(oldResult), seal(10));

    List<Accrual> out = h.extractOutputValues();
    assertThat(net(out)).isEqualTo(big(2_000));
    assertThat(out)
        .filteredOn(Accrual::removed)
        .hasSize(3)
        .allSatisfy(a -> assertThat(a.leaf().payee()).isNotEqualTo(BOB));
    List<PayoutBatcher.Batch> closed = batches(h);
    assertThat(batched(closed)).isEqualTo(big(2_000));
    assertThat(closed)
        .flatExtracting(PayoutBatcher.Batch::payees)
        .contains(BOB)
        .doesNotContain(ALICE);
    assertThat(rejections(h)).isEmpty();
  }

  @Test
  void shouldSplitARedeliveredFeeOnlyOnce() throws Exception {
    var h = ledger();
    PaymentInput fee = fee(1, 5, 1_000);
    send(h, fee);
    send(h, result(1, 5, share(7, ALICE, 1)), fee, seal(10));
    assertThat(net(h.extractOutputValues())).isEqualTo(big(1_000));
    assertThat(batched(batches(h))).isEqualTo(big(1_000));
  }

  @Test
  void shouldRebuildTheSameBatchesFromADifferentInterleavingOrARestore() throws Exception {
    List<PaymentInput> chain = new ArrayList<>();
    List<PaymentInput> attributions = new ArrayList<>();
    chain.add(params(1, 1, 7_000, 2_000, 4, 50));
    chain.add(owner(1, 1, OWNER));
    String[] who = {ALICE, BOB, "0x00000000000000000000000000000000000000cc"};
    for (int i = 1; i <= 30; i++) {
      chain.add(fee(i, 2 + i, 97L * i));
      chain.add(seal(2 + i));
      attributions.add(
          result(i, 2 + i, share(i, who[i % 3], 1 + i % 4), share(100 + i, who[(i + 1) % 3], 3)));
    }
    chain.add(seal(60));

    var first = harness(null);
    for (PaymentInput in : chain) {
      send(first, in);
    }
    for (PaymentInput in : attributions) {
      send(first, in);
    }
    var second = harness(null);
    OperatorSubtaskState snapshot = null;
    int closedAtSnapshot = 0;
    for (int i = 0; i < chain.size(); i++) {
      if (i < attributions.size()) {
        send(second, attributions.get(i));
      }
      send(second, chain.get(i));
      if (i == 20) {
        snapshot = second.snapshot(1, 1);
        closedAtSnapshot = batches(second).size();
      }
    }
    var restored = harness(snapshot);
    for (int i = 21; i < chain.size(); i++) {
      if (i < attributions.size()) {
        send(restored, attributions.get(i));
      }
      send(restored, chain.get(i));
    }
    List<String> expected = describe(batches(first));
    assertThat(expected).isNotEmpty();
    assertThat(describe(batches(second))).isEqualTo(expected);
    List<PayoutBatcher.Batch> resumed =
        new ArrayList<>(batches(second).subList(0, closedAtSnapshot));
    resumed.addAll(batches(restored));
    assertThat(describe(resumed)).isEqualTo(expected);
    BigInteger fees = BigInteger.ZERO;
    for (int i = 1; i <= 30; i++) {
      fees = fees.add(BigInteger.valueOf(97L * i));
    }
    assertThat(batched(batches(first))).isEqualTo(fees);
    assertThat(net(first.extractOutputValues())).isEqualTo(fees);
  }

  private static List<String> describe(List<PayoutBatcher.Batch> batches) {
    return batches.stream()
        .map(b -> b.batchId() + " " + b.payees() + " " + b.amounts() + " " + b.merkleRoot())
        .toList();
  }

  private static BigInteger big(long v) {
    return BigInteger.valueOf(v);
  }

  static PayoutLeaf.PayeeRole role(Accrual a) {
    return a.leaf().role();
  }
}
