package org.openledger.bridge.workload;

/**
 * Paces sends at a target rate on a monotonic clock: the k-th send after a start is due at start +
 * k / rate, so rounding never drifts the rate. A sender that fell more than a second behind (the
 * node stalled) drops the backlog and restarts the schedule instead of bursting to catch up.
 */
final class Pacer {

  private static final long BACKLOG_NANOS = 1_000_000_000L;

  private final double periodNanos;
  private long start;
  private long k;

  Pacer(double rate, long startNanos) {
    if (!(rate > 0)) {
      throw new IllegalArgumentException("rate must be positive: " + rate);
    }
    this.periodNanos = 1e9 / rate;
    this.start = startNanos;
  }

  /** When the next send is due, on the clock the pacer was started with. */
  long dueNanos() {
    return start + (long) (k * periodNanos);
  }

  /**
   * Nanoseconds to wait at {@code nowNanos} before the next send (0: send now). A backlog over a
   * second is dropped here, so the next send is due now and the schedule restarts from it.
   */
  long waitNanos(long nowNanos) {
    long due = dueNanos();
    if (nowNanos - due > BACKLOG_NANOS) {
      start = nowNanos;
      k = 0;
      return 0;
    }
    return Math.max(0, due - nowNanos);
  }

  /** Counts one send. */
  void sent() {
    k++;
  }
}
