package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.openledger.flink.domain.FeeSplit;
import org.openledger.flink.domain.PaymentParams;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.payment.PaymentInput;
import org.openledger.flink.payment.Position;

/**
 * The ledger's outputs on a fixed log (fees, results, seals, reorg retractions, a restore from a
 * snapshot mid-way) are pinned by a digest taken before its state serialization and hot path were
 * optimized: the faster ledger must give byte-identical accruals, batches, leaf hashes and dead
 * letters.
 */
class PaymentOperatorGoldenTest {

  /** SHA-256 of {@link #render} over the fixed log, taken with the ledger before optimization. */
  static final String GOLDEN = "e75eb6585f94862852e11c2a19139e6d7b84407b6abaeb531e48eafe00a3b87a";

  static final String TREASURY = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";

  @Test
  void shouldGiveTheOutputsOfTheUnoptimizedLedgerWhenReplayingAFixedLogAcrossARestore()
      throws Exception {
    List<PaymentInput> log = log();
    StringBuilder rendered = new StringBuilder();
    OperatorSubtaskState snapshot;
    int half = log.size() / 2;
    try (var first = harness(null)) {
      for (PaymentInput in : log.subList(0, half)) {
        first.processElement(in, in.block());
      }
      snapshot = first.snapshot(1, 1);
      render(first, rendered);
    }
    try (var second = harness(snapshot)) {
      for (PaymentInput in : log.subList(half, log.size())) {
        second.processElement(in, in.block());
      }
      render(second, rendered);
    }
    assertThat(rendered.toString()).contains("PayoutLeaf[", "Window[").contains("removed=true");
    byte[] digest =
        MessageDigest.getInstance("SHA-256")
            .digest(rendered.toString().getBytes(StandardCharsets.UTF_8));
    assertThat(HexFormat.of().formatHex(digest)).isEqualTo(GOLDEN);
  }

  /**
   * A snapshot the unoptimized ledger took after the first half of the log (its state written by
   * Flink's POJO serializer and Kryo): the optimized ledger restores it, migrating the state to its
   * own serializers, and continues with the very outputs the unoptimized one gave. (Written with
   * {@code OperatorSnapshotUtil.writeStateHandle} by {@link #harness} at commit be1cd7d, after
   * {@code log().subList(0, log().size() / 2)}.)
   */
  @Test
  void shouldContinueWithTheSameOutputsWhenRestoringStateTheOldSerializersWrote() throws Exception {
    List<PaymentInput> log = log();
    StringBuilder rendered = new StringBuilder();
    int half = log.size() / 2;
    try (var first = harness(null)) {
      for (PaymentInput in : log.subList(0, half)) {
        first.processElement(in, in.block());
      }
      render(first, rendered);
    }
    String path =
        Path.of(getClass().getResource("payment-ledger-pojo-state.snapshot").toURI()).toString();
    try (var second = harness(OperatorSnapshotUtil.readStateHandle(path))) {
      for (PaymentInput in : log.subList(half, log.size())) {
        second.processElement(in, in.block());
      }
      render(second, rendered);
    }
    byte[] digest =
        MessageDigest.getInstance("SHA-256")
            .digest(rendered.toString().getBytes(StandardCharsets.UTF_8));
    assertThat(HexFormat.of().formatHex(digest)).isEqualTo(GOLDEN);
  }

  static KeyedOneInputStreamOperatorTestHarness<Long, PaymentInput, ?> harness(
      OperatorSubtaskState restore) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new PaymentOperator(TREASURY, 2)),
            PaymentInput::chainId,
            Types.LONG);
    if (restore != null) {
      h.initializeState(restore);
    }
    h.open();
    return h;
  }

  /** Every output in order, with each batch's leaf hashes (what the batch-leaves sink writes). */
  static void render(
      KeyedOneInputStreamOperatorTestHarness<Long, PaymentInput, ?> h, StringBuilder b) {
    h.extractOutputValues().forEach(a -> b.append(a).append('\n'));
    var batches = h.getSideOutput(PaymentOperator.BATCHES);
    if (batches != null) {
      for (var r : batches) {
        PayoutBatcher.Batch batch = r.getValue();
        // field by field: what the batches and batch-leaves sinks write, whatever else Batch holds
        b.append(batch.batchId()).append(' ').append(batch.chainId()).append(' ');
        b.append(batch.window()).append(' ').append(batch.subBatch()).append('/');
        b.append(batch.subBatchCount()).append(' ').append(batch.payees()).append(' ');
        b.append(batch.amounts()).append(' ').append(batch.total()).append(' ');
        b.append(batch.merkleRoot()).append(' ').append(batch.leaves()).append('\n');
        // the batch-leaves sink writes the hashes the batch kept: they must be each leaf's own
        for (int i = 0; i < batch.leaves().size(); i++) {
          String kept = batch.leafHashes().get(i);
          assertThat(kept).isEqualTo("0x" + HexFormat.of().formatHex(batch.leaves().get(i).hash()));
          b.append(kept.substring(2)).append('\n');
        }
      }
    }
    var rejected = h.getSideOutput(PaymentOperator.REJECTED);
    if (rejected != null) {
      rejected.forEach(r -> b.append(r.getValue()).append('\n'));
    }
  }

  /**
   * 600 inferences, 12 a block, 1 to 4 contributors over 40 payees with wei-level fees (some above
   * 2^64), a late owner, results retracted and re-sent on another branch, fees retracted.
   */
  static List<PaymentInput> log() {
    Random random = new Random(7);
    List<PaymentInput> out = new ArrayList<>();
    Position p0 = at(1, 0, 0);
    out.add(
        new PaymentInput(
            PaymentInput.Kind.PARAMS,
            false,
            p0,
            null,
            null,
            new PaymentParams(
                1, 1, p0.eventId(), new FeeSplit.Bps(7000, 2000, 1000), BigInteger.TEN, 5, 7),
            null));
    out.add(owner(at(30, 1, 0), "0x00000000000000000000000000000000000000B1"));
    long block = 2;
    List<PaymentInput> pendingResults = new ArrayList<>();
    for (int i = 1; i <= 600; i++) {
      if (i % 12 == 0) {
        out.addAll(pendingResults);
        pendingResults.clear();
        out.add(seal(block++));
      }
      Position p = at(block, i % 12, 0);
      BigInteger fee =
          i % 50 == 0
              ? BigInteger.TWO.pow(70).add(BigInteger.valueOf(i))
              : BigInteger.valueOf(1 + random.nextInt(1_000_000_000));
      PaymentInput f =
          new PaymentInput(
              PaymentInput.Kind.FEE, false, p, new PaymentInput.Fee(i, 1, fee), null, null, null);
      List<FeeSplit.Share> shares = new ArrayList<>();
      int n = random.nextInt(5);
      for (int c = 0; c < n; c++) {
        shares.add(
            new FeeSplit.Share(
                100 + c, String.format("0x%040x", 1 + random.nextInt(40)), random.nextInt(4)));
      }
      PaymentInput r =
          new PaymentInput(
              PaymentInput.Kind.RESULT,
              false,
              p,
              null,
              new PaymentInput.Result(i, 1, List.copyOf(shares)),
              null,
              null);
      out.add(f);
      pendingResults.add(r);
      if (i % 17 == 0) {
        // the result goes (reorg) and comes back from the other branch's attribution
        pendingResults.add(removed(r));
        pendingResults.add(r);
      }
      if (i % 23 == 0) {
        pendingResults.add(removed(f)); // the fee goes for good
      }
    }
    out.addAll(pendingResults);
    out.add(seal(block + 10));
    return out;
  }

  static Position at(long block, int logIndex, int branch) {
    return new Position(
        1337,
        block,
        String.format("0x%062x%02x", block, branch),
        1_700_000_000 + block,
        String.format("0x%064x", block * 1000 + logIndex),
        logIndex);
  }

  static PaymentInput owner(Position p, String address) {
    return new PaymentInput(
        PaymentInput.Kind.OWNER, false, p, null, null, null, new PaymentInput.Owner(1, address));
  }

  static PaymentInput seal(long block) {
    return new PaymentInput(
        PaymentInput.Kind.SEAL, false, at(block, -1, 0), null, null, null, null);
  }

  static PaymentInput removed(PaymentInput in) {
    return new PaymentInput(
        in.kind(), true, in.position(), in.fee(), in.result(), in.params(), in.owner());
  }
}
