package org.openledger.bridge.follow;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.openledger.bridge.metrics.MetricsEndpoint;

/**
 * The follower's metrics in the Prometheus text format, on a read-only {@code /metrics} endpoint
 * bound to loopback: head lag in blocks, logs written, reorgs seen, cursor, and logs of contracts
 * outside the deployment that the node returned and the follower dropped.
 */
public final class FollowerMetrics {

  public FollowerMetrics() {}

  final AtomicLong headLag = new AtomicLong();
  final AtomicLong logsWritten = new AtomicLong();
  final AtomicLong compensations = new AtomicLong();
  final AtomicLong reorgs = new AtomicLong();
  final AtomicLong cursorBlock = new AtomicLong(-1);
  final AtomicLong foreignLogs = new AtomicLong();
  private final MetricsEndpoint endpoint = new MetricsEndpoint(this::render);

  public long logsWrittenTotal() {
    return logsWritten.get();
  }

  String render() {
    return "# TYPE follower_head_lag_blocks gauge\nfollower_head_lag_blocks "
        + headLag.get()
        + "\n# TYPE follower_logs_written_total counter\nfollower_logs_written_total "
        + logsWritten.get()
        + "\n# TYPE follower_compensations_total counter\nfollower_compensations_total "
        + compensations.get()
        + "\n# TYPE follower_reorgs_total counter\nfollower_reorgs_total "
        + reorgs.get()
        + "\n# TYPE follower_cursor_block gauge\nfollower_cursor_block "
        + cursorBlock.get()
        + "\n# TYPE follower_foreign_logs_total counter\nfollower_foreign_logs_total "
        + foreignLogs.get()
        + "\n";
  }

  /** Serves /metrics on {@code host}:{@code port} (0 picks a free port); returns the port. */
  int serve(String host, int port) throws IOException {
    return endpoint.serve(host, port);
  }

  void stop() {
    endpoint.stop();
  }
}
