package org.openledger.bridge.settle;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The settlement writer's metrics in the Prometheus text format on {@code /metrics}: batches
 * settled, found already settled, refused (dead letters), transactions sent and replaced, transient
 * errors retried.
 */
final class SettlementMetrics {

  final AtomicLong settled = new AtomicLong();
  final AtomicLong alreadySettled = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong sent = new AtomicLong();
  final AtomicLong replacements = new AtomicLong();
  final AtomicLong transientErrors = new AtomicLong();
  final AtomicLong lastOffset = new AtomicLong(-1);
  private HttpServer server;

  String render() {
    StringBuilder out = new StringBuilder();
    counter(out, "settlement_batches_settled_total", settled);
    counter(out, "settlement_batches_already_settled_total", alreadySettled);
    counter(out, "settlement_batches_refused_total", refused);
    counter(out, "settlement_transactions_sent_total", sent);
    counter(out, "settlement_transactions_replaced_total", replacements);
    counter(out, "settlement_transient_errors_total", transientErrors);
    out.append("# TYPE settlement_committed_offset gauge\nsettlement_committed_offset ")
        .append(lastOffset.get())
        .append('\n');
    return out.toString();
  }

  private static void counter(StringBuilder out, String name, AtomicLong value) {
    out.append("# TYPE ").append(name).append(" counter\n");
    out.append(name).append(' ').append(value.get()).append('\n');
  }

  /** Serves /metrics on {@code host}:{@code port} (0 picks a free port); returns the port. */
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
