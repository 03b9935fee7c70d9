package org.openledger.bridge.slash;

import java.io.IOException;

/**
 * What the slash submitter needs of the chain: a contribution's status and flag state, and a flag
 * transaction sent and waited for. An interface so the submitter's retries are tested without a
 * node.
 */
interface FlagChain {

  /** DatanetRegistry.Status and FlagState codes of a contribution at the head. */
  record State(int status, int flagState) {}

  /** A mined flag transaction ({@code ok}), or one that reverted or never mined ({@code !ok}). */
  record Sent(boolean ok, String detail) {}

  /** Reads the contribution's state; IOException when the node cannot be reached. */
  State read(long contributionId) throws IOException;

  /** Sends {@code flag} and waits for its receipt; IOException when the node cannot be reached. */
  Sent flag(long contributionId, int reasonCode, String evidence) throws IOException;
}
