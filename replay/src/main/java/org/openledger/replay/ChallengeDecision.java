package org.openledger.replay;

import java.util.Optional;
import org.openledger.bridge.domain.settle.BatchOnChain;
import org.openledger.flink.domain.PayoutBatcher;

/**
 * What {@code watch} does with one proposal, as a pure function of what it knows: wait (its window
 * is not replayed yet), ok (it carries the batch the replay computed, or moves no money), challenge
 * (it differs, is still open to challenge on chain and its deadline is ahead), or report without
 * challenging: a challenge of ours already sent, a proposal no longer open (challenged by someone,
 * resolved, paid), or one whose deadline passed before the watcher judged it.
 */
final class ChallengeDecision {

  private ChallengeDecision() {}

  /** The outcomes, in the order the rules try them. */
  enum Kind {
    WAIT,
    OK,
    CHALLENGE,
    SENT,
    NOT_OPEN,
    TOO_LATE
  }

  /**
   * One decision: {@code difference} the first difference (empty for WAIT and OK), {@code note}
   * what else the line says.
   */
  record Decision(Kind kind, String difference, String note) {}

  /** The proposal's id as the contract holds it now ({@code proposalOf}). */
  record OnChain(BatchOnChain.State state, long deadline, String challenger) {}

  /**
   * The comparison alone (no chain state needed): WAIT, OK, or CHALLENGE naming the first
   * difference, which {@link #decide} then turns into an action.
   *
   * @param expected the batch the replay closed under the proposal's id, if any
   * @param replayedThrough the last block the replay sealed
   */
  static Decision compare(
      Proposal p, Optional<PayoutBatcher.Batch> expected, long replayedThrough) {
    if (replayedThrough < p.windowEnd()) {
      return new Decision(
          Kind.WAIT, "", "window ends at block " + p.windowEnd() + ", replayed " + replayedThrough);
    }
    if (expected.isEmpty()) {
      // The rule replay applies to settled batches: a batch that moves nothing has nothing to
      // check.
      if (SettledCheck.paysNothing(p.total(), p.amounts())) {
        return new Decision(Kind.OK, "", "zero-wei batch, moves no money");
      }
      return new Decision(
          Kind.CHALLENGE,
          "no such batch in the replay (no window of the log pays under this id)",
          "");
    }
    PayoutBatcher.Batch b = expected.get();
    Optional<String> difference =
        SettledCheck.firstDifference(b, p.payees(), p.amounts(), p.total(), p.root());
    if (difference.isEmpty()) {
      return new Decision(
          Kind.OK,
          "",
          b.payees().size() + " payees, total " + b.total() + " wei, root " + b.merkleRoot());
    }
    return new Decision(Kind.CHALLENGE, difference.get(), "");
  }

  /**
   * The action for a proposal: {@link #compare}, then, when it differs, the chain's and the
   * journal's word.
   *
   * @param onChain the id's state now; needed only when the proposal differs (may be null else)
   * @param head the chain's head: a challenge sent now is mined at {@code head + 1} at the earliest
   * @param sentTx our challenge of this proposal, if the journal has one
   */
  static Decision decide(
      Proposal p,
      Optional<PayoutBatcher.Batch> expected,
      long replayedThrough,
      OnChain onChain,
      long head,
      Optional<String> sentTx) {
    Decision compared = compare(p, expected, replayedThrough);
    if (compared.kind() != Kind.CHALLENGE) {
      return compared;
    }
    String difference = compared.difference();
    if (sentTx.isPresent()) {
      return new Decision(Kind.SENT, difference, "challenged in tx " + sentTx.get());
    }
    if (onChain == null) {
      throw new IllegalArgumentException("a differing proposal needs the chain's state");
    }
    if (onChain.state() != BatchOnChain.State.PROPOSED || onChain.deadline() != p.deadline()) {
      return new Decision(Kind.NOT_OPEN, difference, notOpen(onChain, p));
    }
    // The contract takes a challenge up to and including the deadline block.
    if (head >= p.deadline()) {
      return new Decision(
          Kind.TOO_LATE,
          difference,
          "too late to challenge: deadline block " + p.deadline() + ", head " + head);
    }
    return new Decision(Kind.CHALLENGE, difference, "");
  }

  private static String notOpen(OnChain onChain, Proposal p) {
    return switch (onChain.state()) {
      case CHALLENGED -> "already challenged by " + onChain.challenger();
      case REJECTED -> "challenged, and governance rejected the challenge";
      case SETTLED -> "already paid";
      case NONE -> "voided (governance upheld a challenge)";
      case PROPOSED ->
          "proposed again since (deadline " + onChain.deadline() + ", not " + p.deadline() + ")";
    };
  }
}
