package org.openledger.bridge.domain.follow;

/**
 * How many blocks the follower reads per step. Sparse history is read in long ranges (few, large
 * Kafka transactions); dense history in shorter ones, so one transaction stays near a target number
 * of logs; and a node that refuses a range (nodes cap a getLogs answer's blocks or logs) gets half
 * of it next time. Pure: the follower reports what each read gave.
 */
public final class AdaptiveSpan {

  private final long max;
  private final long targetLogs;
  private long span;

  /**
   * @param initial the first span, clamped to [1, max]
   * @param max the most blocks one step reads (the configured limit)
   * @param targetLogs the logs one step aims at (a Kafka transaction's size)
   */
  public AdaptiveSpan(long initial, long max, long targetLogs) {
    if (max < 1 || targetLogs < 1) {
      throw new IllegalArgumentException("max and targetLogs must be >= 1");
    }
    this.max = max;
    this.targetLogs = targetLogs;
    this.span = Math.max(1, Math.min(initial, max));
  }

  public long span() {
    return span;
  }

  /**
   * A read of {@code blocks} blocks gave {@code logs} logs. Only a read of the whole span says
   * something about density: near the head, reads are short because the chain is.
   */
  public void onRead(long blocks, long logs) {
    if (blocks < span) {
      return;
    }
    if (logs > 2 * targetLogs) {
      span = Math.max(1, span / 2);
    } else if (logs < targetLogs / 2) {
      span = Math.min(max, span * 2);
    }
  }

  /**
   * The node refused the range (an error answer to getLogs). Returns false when the span is one
   * block already: nothing smaller to ask, the error is the node's.
   */
  public boolean onRefused() {
    if (span == 1) {
      return false;
    }
    span = Math.max(1, span / 2);
    return true;
  }
}
