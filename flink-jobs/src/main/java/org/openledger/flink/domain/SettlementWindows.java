package org.openledger.flink.domain;

import java.util.Optional;

/**
 * Deterministic settlement windows over block numbers. With window length L (the params in force at
 * a block), block b falls in the L-aligned slot {@code [⌊b/L⌋·L, ⌊b/L⌋·L + L - 1]}, cut where a
 * params version starts or ends, so a change of L never makes two windows overlap. Only the log
 * decides a window, so a replay rebuilds the same windows and therefore the same batch ids.
 */
public final class SettlementWindows {

  /** A closed range of blocks, both ends inclusive. */
  public record Window(long start, long end) {
    public boolean contains(long block) {
      return block >= start && block <= end;
    }
  }

  private SettlementWindows() {}

  /**
   * The window of {@code block} as far as {@code history} knows. It is final once the log is sealed
   * at or past its end: a version set later than the seal starts after the window. Blocks with no
   * params in force form one-block windows (no fee can be split there anyway).
   */
  public static Window of(long block, ParamsHistory<PaymentParams> history) {
    Optional<PaymentParams> rules = history.at(block);
    if (rules.isEmpty()) {
      return new Window(block, block);
    }
    long length = rules.get().windowBlocks();
    long slot = Math.floorDiv(block, length) * length;
    long start = Math.max(slot, rules.get().effectiveBlock());
    long end = slot > Long.MAX_VALUE - length ? Long.MAX_VALUE : slot + length - 1;
    Optional<Long> next = history.nextChangeAfter(block);
    if (next.isPresent()) {
      end = Math.min(end, next.get() - 1);
    }
    return new Window(start, end);
  }
}
