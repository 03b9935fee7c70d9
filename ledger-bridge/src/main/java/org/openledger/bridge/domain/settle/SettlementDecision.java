package org.openledger.bridge.domain.settle;

/**
 * The settlement writer's next step for one batch, decided from an {@link Observation} alone. The
 * chain's {@code isSettled(batchId)} is the truth: it is checked first, so a batch is never sent
 * once paid; the contract reverts a second payment of the same id anyway, so a race can cost gas
 * but never money. Recorded attempts make a restart find, re-broadcast or replace what an earlier
 * run sent instead of sending anew.
 */
public final class SettlementDecision {

  /** What to do now. */
  public sealed interface Decision {}

  /** Paid by one of our attempts (confirmed deep enough): record it and move on. */
  public record Settled(String txHash, long block) implements Decision {}

  /** Paid before (an earlier run, or another settler): move on without sending. */
  public record AlreadySettled() implements Decision {}

  /** Nothing usable in flight: sign and send a new transaction with a fresh nonce. */
  public record Send() implements Decision {}

  /** The latest attempt is stuck: the same nonce again with a higher gas price. */
  public record Replace(long nonce) implements Decision {}

  /** The node has lost (or never got) the latest attempt: broadcast the same bytes again. */
  public record Rebroadcast(Attempt attempt) implements Decision {}

  /** In flight, or mined but not yet deep enough: look again later. */
  public record Wait(String why) implements Decision {}

  /** The chain refused the batch: to the dead letters with the reason. */
  public record Refused(String reason) implements Decision {}

  private SettlementDecision() {}

  /**
   * @param confirmations blocks a receipt must be under the head before it counts
   * @param stuckAfterMillis how long an attempt may stay unmined before it is replaced
   */
  public static Decision decide(Observation o, long confirmations, long stuckAfterMillis) {
    if (o.receipt().isPresent()) {
      Observation.Receipt r = o.receipt().get();
      if (r.success() && o.settledOnChain()) {
        return o.headBlock() - r.block() >= confirmations
            ? new Settled(r.txHash(), r.block())
            : new Wait(
                "receipt at block "
                    + r.block()
                    + ", waiting for "
                    + confirmations
                    + " confirmations");
      }
      if (!r.success()) {
        // Our own replacement may have won the race, or an earlier run paid: the chain says.
        return o.settledOnChain()
            ? new AlreadySettled()
            : new Refused("settle reverted: " + r.revertReason());
      }
      // A success receipt but not settled: the receipt's block was reorged away; decide afresh.
    }
    if (o.settledOnChain()) {
      return new AlreadySettled();
    }
    if (o.latest().isEmpty()) {
      return new Send();
    }
    Attempt latest = o.latest().get();
    if (latest.nonce() < o.confirmedNonce()) {
      // The nonce was used by another transaction and none of ours was mined: ours can never be.
      return new Send();
    }
    if (!o.latestKnown()) {
      return new Rebroadcast(latest);
    }
    if (o.nowMillis() - latest.sentAtMillis() >= stuckAfterMillis) {
      return new Replace(latest.nonce());
    }
    return new Wait("transaction " + latest.txHash() + " pending");
  }
}
