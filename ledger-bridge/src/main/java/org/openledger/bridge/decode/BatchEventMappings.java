package org.openledger.bridge.decode;

import static org.openledger.bridge.decode.AbiValues.check;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.events.BatchChallenged;
import org.openledger.events.BatchProposed;
import org.openledger.events.BatchResolved;
import org.openledger.events.BatchSettled;
import org.openledger.events.RawChainLog;
import org.openledger.schemas.Topics;

/**
 * Settlement's batch events (propose, challenge, resolve, and the BatchSettled finalize emits;
 * docs/PAYMENTS.md, "Optimistic settlement"), mapped like every other consumed event; kept apart so
 * {@link EventMappings} stays readable.
 */
final class BatchEventMappings {

  /**
   * InputLimits.MAX_BATCH_PAYEES: Settlement refuses a batch of more payees, so a longer array did
   * not come from it; the reader refuses it on its length word, before allocating anything.
   */
  static final int MAX_BATCH_PAYEES = 1000;

  /** The payee and amount arrays of a batch event, each capped at {@link #MAX_BATCH_PAYEES}. */
  static final Map<String, Integer> PAYEE_CAPS =
      Map.of("payees", MAX_BATCH_PAYEES, "amounts", MAX_BATCH_PAYEES);

  /** Settlement stores a proposal's deadline as a uint48. */
  private static final long MAX_DEADLINE = (1L << 48) - 1;

  /** Settlement stores a window's sub-batch count as a uint32. */
  private static final long MAX_SUB_BATCHES = (1L << 32) - 1;

  private static final String ZERO_WORD = "0x" + "0".repeat(64);

  private BatchEventMappings() {}

  static void add(EventMappings.Specs registry) {
    registry.add(
        Settlement.BATCHPROPOSED_EVENT,
        "Settlement",
        Topics.BATCH_PROPOSED,
        List.of(
            "batchId",
            "proposer",
            "windowStart",
            "windowEnd",
            "subBatch",
            "subBatchCount",
            "attributionRoot",
            "total",
            "challengeDeadline",
            "payees",
            "amounts"),
        PAYEE_CAPS,
        BatchEventMappings::proposed);
    registry.add(
        Settlement.BATCHCHALLENGED_EVENT,
        "Settlement",
        Topics.BATCH_CHALLENGED,
        List.of("batchId", "challenger", "bond"),
        (r, v) ->
            BatchChallenged.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setBatchId(v.bytes32("batchId"))
                .setChallenger(v.party("challenger"))
                .setBond(v.wei("bond"))
                .build());
    registry.add(
        Settlement.BATCHRESOLVED_EVENT,
        "Settlement",
        Topics.BATCH_RESOLVED,
        List.of("batchId", "upheld", "bondWinner", "bondPaid"),
        (r, v) ->
            BatchResolved.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setBatchId(v.bytes32("batchId"))
                .setUpheld(v.bool("upheld"))
                // the challenger (upheld) or the treasury, which the constructor makes non-zero
                .setBondWinner(v.party("bondWinner"))
                .setBondPaid(v.wei("bondPaid"))
                .build());
  }

  /** What Settlement.propose checks (the window rules of _admitWindow, the batch's own). */
  static SpecificRecord proposed(RawChainLog r, AbiValues v) {
    Payout payout = payout(v);
    long start = v.longIn("windowStart", 0, Long.MAX_VALUE);
    long end = v.longIn("windowEnd", 0, Long.MAX_VALUE);
    check(start <= end, "windowEnd", "window " + start + ".." + end + " ends before it starts");
    long count = v.longIn("subBatchCount", 1, MAX_SUB_BATCHES);
    long subBatch = v.longIn("subBatch", 0, MAX_SUB_BATCHES);
    check(subBatch < count, "subBatch", "sub-batch " + subBatch + " of " + count);
    String root = v.bytes32("attributionRoot");
    check(!ZERO_WORD.equals(root), "attributionRoot", "the zero root");
    // proposed after the window closed (windowEnd < block), and the window is at least one block
    long deadline = v.longIn("challengeDeadline", 0, MAX_DEADLINE);
    check(deadline > end, "challengeDeadline", deadline + " is not after the window's end " + end);
    return BatchProposed.newBuilder()
        .setPosition(r.getPosition())
        .setRemoved(r.getRemoved())
        .setBatchId(v.bytes32("batchId"))
        .setProposer(v.party("proposer"))
        .setWindowStart(start)
        .setWindowEnd(end)
        .setSubBatch(subBatch)
        .setSubBatchCount(count)
        .setAttributionRoot(root)
        .setTotal(payout.total())
        .setChallengeDeadline(deadline)
        .setPayees(payout.payees())
        .setAmounts(payout.amounts())
        .build();
  }

  /** What Settlement.finalize pays: the proposal's payees and amounts, as committed. */
  static SpecificRecord settled(RawChainLog r, AbiValues v) {
    Payout payout = payout(v);
    return BatchSettled.newBuilder()
        .setPosition(r.getPosition())
        .setRemoved(r.getRemoved())
        .setBatchId(v.bytes32("batchId"))
        .setAttributionRoot(v.bytes32("attributionRoot"))
        .setTotal(payout.total())
        .setPayees(payout.payees())
        .setAmounts(payout.amounts())
        .build();
  }

  /** A batch's payees and amounts, checked. */
  record Payout(List<String> payees, List<BigDecimal> amounts, BigDecimal total) {}

  /** Payees, none zero, each with its amount, summing to total (Settlement._checkBatch). */
  static Payout payout(AbiValues v) {
    check(v.size("payees") > 0, "payees", "an empty batch");
    check(
        v.size("amounts") == v.size("payees"),
        "amounts",
        v.size("amounts") + " amounts for " + v.size("payees") + " payees");
    List<String> payees = v.parties("payees");
    List<BigInteger> amounts = v.weis("amounts");
    BigInteger sum = amounts.stream().reduce(BigInteger.ZERO, BigInteger::add);
    BigDecimal total = v.wei("total");
    check(
        total.toBigIntegerExact().equals(sum),
        "total",
        total.toBigIntegerExact() + " is not the sum of the amounts (" + sum + ")");
    return new Payout(payees, amounts.stream().map(BigDecimal::new).toList(), total);
  }
}
