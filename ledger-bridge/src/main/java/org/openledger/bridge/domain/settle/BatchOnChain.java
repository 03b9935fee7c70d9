package org.openledger.bridge.domain.settle;

/**
 * What the settlement contract says of one batch id ({@code proposalOf}): its state, the last block
 * a challenge is taken in, and whether an earlier proposal of it was voided by an upheld challenge.
 * The writer's {@link SettlementDecision#phase} reads only this and the head.
 *
 * @param deadline the last block a challenge is taken in (0 when nothing is proposed)
 * @param voided no proposal now, but one was made and governance upheld a challenge of it
 */
public record BatchOnChain(State state, long deadline, boolean voided) {

  /** Settlement.State, in the contract's order. */
  public enum State {
    NONE,
    PROPOSED,
    CHALLENGED,
    REJECTED,
    SETTLED;

    /** The contract's enum value (a uint8) as a state. */
    public static State of(int code) {
      if (code < 0 || code >= values().length) {
        throw new IllegalArgumentException("no settlement state " + code);
      }
      return values()[code];
    }
  }

  /** Never proposed (or voided). */
  public static BatchOnChain none() {
    return new BatchOnChain(State.NONE, 0, false);
  }
}
