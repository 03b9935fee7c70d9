package org.openledger.bridge.analytics;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.openledger.bridge.metrics.MetricsEndpoint;

/** The ClickHouse loader's metrics in the Prometheus text format on {@code /metrics}. */
public final class LoaderMetrics {

  final AtomicLong rows = new AtomicLong();
  final AtomicLong inserts = new AtomicLong();
  final AtomicLong undecodable = new AtomicLong();
  final AtomicLong failedInserts = new AtomicLong();
  private final MetricsEndpoint endpoint = new MetricsEndpoint(this::render);

  public long rows() {
    return rows.get();
  }

  public long inserts() {
    return inserts.get();
  }

  String render() {
    return "# TYPE loader_rows_total counter\nloader_rows_total "
        + rows.get()
        + "\n# TYPE loader_inserts_total counter\nloader_inserts_total "
        + inserts.get()
        + "\n# TYPE loader_undecodable_total counter\nloader_undecodable_total "
        + undecodable.get()
        + "\n# TYPE loader_failed_inserts_total counter\nloader_failed_inserts_total "
        + failedInserts.get()
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
