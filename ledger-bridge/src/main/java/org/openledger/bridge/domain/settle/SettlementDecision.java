package org.openledger.bridge.domain.settle;

/**
 * The settlement writer's decisions, from what it observes alone. {@link #phase} says where a batch
 * stands in the optimistic settlement (propose, wait out the challenge window or governance,
 * finalize, done). {@link #decide} drives one transaction of a phase (the proposal, then the
 * finalization): the chain's word on the phase's effect is the truth and is checked first, so a
 * batch is never proposed or paid twice; the contract reverts a second proposal or payment of the
 * same id anyway, so a race can cost gas but never money. Recorded attempts make a restart find,
 * re-broadcast or replace what an earlier run sent instead of sending anew.
 */
public final class SettlementDecision {

  /** What to do now. */
  public sealed interface Decision {}

  /** Done by one of our attempts (confirmed deep enough): record it and move on. */
  public record Settled(String txHash, long block) implements Decision {}

  /** Done before (an earlier run, or anyone else): move on without sending. */
  public record AlreadySettled() implements Decision {}

  /** Nothing usable in flight: sign and send a new transaction with a fresh nonce. */
  public record Send() implements Decision {}

  /** The latest attempt is stuck: the same nonce again with a higher gas price. */
  public record Replace(long nonce) implements Decision {}

  /** The node has lost (or never got) the latest attempt: broadcast the same bytes again. */
  public record Rebroadcast(Attempt attempt) implements Decision {}

  /** In flight, or mined but not yet deep enough: look again later. */
  public record Wait(String why) implements Decision {}

  /** The chain refused the transaction: to the dead letters with the reason. */
  public record Refused(String reason) implements Decision {}

  private SettlementDecision() {}

  /** Where a batch stands on chain, and so what the writer does next. */
  public sealed interface Phase {}

  /** Not proposed yet: propose it. */
  public record Propose() implements Phase {}

  /** Proposed, unchallenged, its challenge window still open: wait for block {@code deadline}+1. */
  public record AwaitWindow(long deadline) implements Phase {}

  /** Challenged: governance decides; the batch waits (its fees stay escrowed). */
  public record AwaitResolution() implements Phase {}

  /** Unchallenged past its window, or its challenge rejected: finalize (pay) it. */
  public record Finalize() implements Phase {}

  /** Paid (by this writer or anyone: finalizing is open to all). */
  public record Paid() implements Phase {}

  /** Governance upheld a challenge: the proposal is void; the batch goes to the dead letters. */
  public record Voided() implements Phase {}

  /**
   * The phase of a batch whose chain state is {@code onChain} when the head is {@code head}. A
   * finalization is simulated and mined after the head, so it may go once the head is past the
   * deadline (the contract takes challenges up to and including the deadline block).
   */
  public static Phase phase(BatchOnChain onChain, long head) {
    return switch (onChain.state()) {
      case NONE -> onChain.voided() ? new Voided() : new Propose();
      case PROPOSED ->
          head > onChain.deadline() ? new Finalize() : new AwaitWindow(onChain.deadline());
      case CHALLENGED -> new AwaitResolution();
      case REJECTED -> new Finalize();
      case SETTLED -> new Paid();
    };
  }

  /**
   * The next step of one phase's transaction; {@link Observation#doneOnChain} is the chain's word
   * on the phase's effect (proposed, or paid).
   *
   * @param confirmations blocks a receipt must be under the head before it counts
   * @param stuckAfterMillis how long an attempt may stay unmined before it is replaced
   */
  public static Decision decide(Observation o, long confirmations, long stuckAfterMillis) {
    if (o.receipt().isPresent()) {
      Observation.Receipt r = o.receipt().get();
      if (r.success() && o.doneOnChain()) {
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
        return o.doneOnChain()
            ? new AlreadySettled()
            : new Refused("transaction reverted: " + r.revertReason());
      }
      // A success receipt but not done: the receipt's block was reorged away; decide afresh.
    }
    if (o.doneOnChain()) {
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
