package org.openledger.bridge.settle;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.openledger.bridge.metrics.MetricsEndpoint;

/**
 * The settlement writer's metrics in the Prometheus text format on {@code /metrics}: batches
 * proposed, settled (finalized), found already settled, refused (dead letters), seen challenged,
 * transactions sent and replaced, transient errors retried.
 */
final class SettlementMetrics {

  final AtomicLong proposed = new AtomicLong();
  final AtomicLong challenged = new AtomicLong();
  final AtomicLong settled = new AtomicLong();
  final AtomicLong alreadySettled = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong sent = new AtomicLong();
  final AtomicLong replacements = new AtomicLong();
  final AtomicLong transientErrors = new AtomicLong();
  final AtomicLong lastOffset = new AtomicLong(-1);
  private final MetricsEndpoint endpoint = new MetricsEndpoint(this::render);

  String render() {
    StringBuilder out = new StringBuilder();
    MetricsEndpoint.sample(out, "settlement_batches_proposed_total", "counter", proposed);
    MetricsEndpoint.sample(out, "settlement_batches_challenged_total", "counter", challenged);
    MetricsEndpoint.sample(out, "settlement_batches_settled_total", "counter", settled);
    MetricsEndpoint.sample(
        out, "settlement_batches_already_settled_total", "counter", alreadySettled);
    MetricsEndpoint.sample(out, "settlement_batches_refused_total", "counter", refused);
    MetricsEndpoint.sample(out, "settlement_transactions_sent_total", "counter", sent);
    MetricsEndpoint.sample(out, "settlement_transactions_replaced_total", "counter", replacements);
    MetricsEndpoint.sample(out, "settlement_transient_errors_total", "counter", transientErrors);
    MetricsEndpoint.sample(out, "settlement_committed_offset", "gauge", lastOffset);
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
