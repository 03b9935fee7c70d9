package org.openledger.bridge.slash;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.openledger.bridge.metrics.MetricsEndpoint;

/**
 * The slash submitter's metrics in the Prometheus text format on {@code /metrics}: proposals
 * flagged, found already flagged, closed, retracted or unknown, flag transactions sent and failed,
 * dead letters, transient errors retried.
 */
final class SlashSubmitterMetrics {

  final AtomicLong flagged = new AtomicLong();
  final AtomicLong alreadyFlagged = new AtomicLong();
  final AtomicLong closed = new AtomicLong();
  final AtomicLong retracted = new AtomicLong();
  final AtomicLong unknown = new AtomicLong();
  final AtomicLong sent = new AtomicLong();
  final AtomicLong failedSends = new AtomicLong();
  final AtomicLong deadLetters = new AtomicLong();
  final AtomicLong transientErrors = new AtomicLong();
  final AtomicLong lastOffset = new AtomicLong(-1);
  private final MetricsEndpoint endpoint = new MetricsEndpoint(this::render);

  String render() {
    StringBuilder out = new StringBuilder();
    MetricsEndpoint.sample(out, "slashing_proposals_flagged_total", "counter", flagged);
    MetricsEndpoint.sample(
        out, "slashing_proposals_already_flagged_total", "counter", alreadyFlagged);
    MetricsEndpoint.sample(out, "slashing_proposals_closed_total", "counter", closed);
    MetricsEndpoint.sample(out, "slashing_proposals_retracted_total", "counter", retracted);
    MetricsEndpoint.sample(out, "slashing_proposals_unknown_total", "counter", unknown);
    MetricsEndpoint.sample(out, "slashing_transactions_sent_total", "counter", sent);
    MetricsEndpoint.sample(out, "slashing_transactions_failed_total", "counter", failedSends);
    MetricsEndpoint.sample(out, "slashing_dead_letters_total", "counter", deadLetters);
    MetricsEndpoint.sample(out, "slashing_transient_errors_total", "counter", transientErrors);
    MetricsEndpoint.sample(out, "slashing_committed_offset", "gauge", lastOffset);
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
