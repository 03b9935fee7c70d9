package org.openledger.replay;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.openledger.bridge.metrics.MetricsEndpoint;

/**
 * The watcher's metrics in the Prometheus text format on {@code /metrics}, like the bridge's
 * processes: proposals checked, found differing, challenges sent, differing proposals it could not
 * challenge (too late, or no longer open), proposals waiting, and how far the replay got.
 */
final class WatchMetrics {

  final AtomicLong checked = new AtomicLong();
  final AtomicLong differing = new AtomicLong();
  final AtomicLong challenges = new AtomicLong();
  final AtomicLong tooLate = new AtomicLong();
  final AtomicLong notOpen = new AtomicLong();
  final AtomicLong waiting = new AtomicLong();
  final AtomicLong replayedBlock = new AtomicLong(-1);
  final AtomicLong head = new AtomicLong(-1);
  private final MetricsEndpoint endpoint = new MetricsEndpoint(this::render);

  String render() {
    StringBuilder out = new StringBuilder();
    MetricsEndpoint.sample(out, "watch_proposals_checked_total", "counter", checked);
    MetricsEndpoint.sample(out, "watch_proposals_differing_total", "counter", differing);
    MetricsEndpoint.sample(out, "watch_challenges_sent_total", "counter", challenges);
    MetricsEndpoint.sample(out, "watch_proposals_too_late_total", "counter", tooLate);
    MetricsEndpoint.sample(out, "watch_proposals_not_open_total", "counter", notOpen);
    MetricsEndpoint.sample(out, "watch_proposals_waiting", "gauge", waiting);
    MetricsEndpoint.sample(out, "watch_replayed_block", "gauge", replayedBlock);
    MetricsEndpoint.sample(out, "watch_head_block", "gauge", head);
    return out.toString();
  }

  /** Serves /metrics on {@code host}:{@code port} (0 picks a free port); returns the port. */
  int serve(String host, int port) throws IOException {
    return endpoint.serve(host, port);
  }

  void stop() {
    endpoint.stop();
  }
}
