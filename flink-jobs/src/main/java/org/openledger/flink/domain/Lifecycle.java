package org.openledger.flink.domain;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * When a contribution stops earning. Each closing event (a rejecting review, a slash, a withdrawal)
 * is remembered by id with its block; the contribution is active up to the earliest, and a reorg
 * that retracts a closing event reopens it if no other remains. A duplicate never becomes active:
 * first come owns the data.
 */
public final class Lifecycle {

  private Lifecycle() {}

  /** The block the contribution's active interval ends at (exclusive), if it ends. */
  public static OptionalLong closedAt(long[] closerBlocks, boolean duplicate, long fromBlock) {
    if (duplicate) {
      return OptionalLong.of(fromBlock);
    }
    return Arrays.stream(closerBlocks).min();
  }

  /** The duplicate rule: a best earlier match at or above the governance bound. */
  public static boolean isDuplicate(float bestMatchScore, long duplicateBoundPpm) {
    return Shares.ppm(bestMatchScore) >= duplicateBoundPpm;
  }
}
