package org.openledger.bridge.domain.follow;

import java.util.List;
import org.openledger.pipeline.RecentBlock;

/** What the follower must do before writing the next block. */
public sealed interface ReorgDecision {

  /** The next block extends what was written: write it. */
  record Extend() implements ReorgDecision {}

  /**
   * The chain left the written branch after {@code ancestorNumber}: retract the logs of {@code
   * dropped} (newest block first) and follow the new branch from the ancestor.
   */
  record Rewind(long ancestorNumber, String ancestorHash, List<RecentBlock> dropped)
      implements ReorgDecision {}

  /** The fork is deeper than the blocks kept: compensating is impossible, stop and say so. */
  record TooDeep(String reason) implements ReorgDecision {}
}
