package org.openledger.bridge.analytics;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/** The ClickHouse loader's metrics in the Prometheus text format on {@code /metrics}. */
final class LoaderMetrics {

  final AtomicLong rows = new AtomicLong();
  final AtomicLong inserts = new AtomicLong();
  final AtomicLong undecodable = new AtomicLong();
  final AtomicLong failedInserts = new AtomicLong();
  private HttpServer server;

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

  int serve(String host, int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = render().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return server.getAddress().getPort();
  }

  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }
}
