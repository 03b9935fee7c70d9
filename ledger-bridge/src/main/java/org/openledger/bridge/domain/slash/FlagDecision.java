package org.openledger.bridge.domain.slash;

/**
 * The slash submitter's next step for one slash proposal, decided from the proposal and what the
 * chain says now, nothing else. The chain is read before every send, so a restart, a redelivered
 * proposal or a send that mined after a timeout never flags twice; the contract refuses a second
 * flag of the same contribution anyway ({@code AlreadyFlagged}), so a race costs gas, never a
 * second freeze.
 */
public final class FlagDecision {

  /** DatanetRegistry.Status: only None, Slashed and Withdrawn matter here. */
  public static final int STATUS_NONE = 0;

  public static final int STATUS_SLASHED = 4;
  public static final int STATUS_WITHDRAWN = 5;

  /** DatanetRegistry.FlagState.None: never flagged. Any other state means flagged once already. */
  public static final int FLAG_NONE = 0;

  /** What to do now. */
  public sealed interface Decision {}

  /** Send {@code flag(contributionId, reasonCode, evidence)}. */
  public record Flag() implements Decision {}

  /** Flagged before (an earlier run, a redelivery, another flagger): nothing to send. */
  public record AlreadyFlagged(int flagState) implements Decision {}

  /** The stake is gone (slashed or withdrawn): nothing left to freeze. */
  public record Closed(int status) implements Decision {}

  /** The proposal withdraws an earlier one (its block was reorged away): never flag on it. */
  public record Retracted() implements Decision {}

  /** The chain knows no such contribution (reorged away, or the wrong deployment). */
  public record Unknown() implements Decision {}

  /** Sends kept failing while the chain still shows no flag: to the dead letters. */
  public record GiveUp(String reason) implements Decision {}

  private FlagDecision() {}

  /**
   * @param removed the proposal is a retraction
   * @param status the contribution's DatanetRegistry.Status code on chain now
   * @param flagState its DatanetRegistry.FlagState code on chain now
   * @param failedSends sends of this proposal that reverted or timed out so far
   * @param maxSends sends to try before giving up (at least 1)
   */
  public static Decision decide(
      boolean removed, int status, int flagState, int failedSends, int maxSends) {
    if (removed) {
      return new Retracted();
    }
    if (status == STATUS_NONE) {
      return new Unknown();
    }
    if (flagState != FLAG_NONE) {
      return new AlreadyFlagged(flagState);
    }
    if (status == STATUS_SLASHED || status == STATUS_WITHDRAWN) {
      return new Closed(status);
    }
    if (failedSends >= maxSends) {
      return new GiveUp(failedSends + " flag transactions failed and the chain shows no flag");
    }
    return new Flag();
  }

  /**
   * How long to wait before try {@code attempt} (1 = the first retry): doubling from {@code
   * initialMillis}, capped at {@code maxMillis}; exact integer arithmetic, no overflow.
   */
  public static long backoffMillis(int attempt, long initialMillis, long maxMillis) {
    if (attempt <= 1) {
      return Math.min(initialMillis, maxMillis);
    }
    int shift = Math.min(attempt - 1, 62);
    long limit = maxMillis >> shift;
    return initialMillis > limit ? maxMillis : Math.min(maxMillis, initialMillis << shift);
  }
}
