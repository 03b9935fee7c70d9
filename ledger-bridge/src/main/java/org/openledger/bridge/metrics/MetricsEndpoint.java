package org.openledger.bridge.metrics;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.openledger.config.ConfigKey;

/**
 * A read-only {@code /metrics} endpoint in the Prometheus text format, one per bridge process
 * (follower, settlement writer, ClickHouse loader): each renders its own text, this serves it.
 */
public final class MetricsEndpoint {

  /**
   * The address every bridge process binds its HTTP endpoint to: loopback by default, 0.0.0.0 in a
   * container (docker-compose.yml). The same variable, {@code OPENLEDGER_HOST}, that every part of
   * the local stack binds (bin/openledger.env).
   */
  public static final ConfigKey<String> HOST =
      ConfigKey.string(
          "host", "127.0.0.1", "address /metrics (and the decoder's balances API) bind to");

  private final Supplier<String> render;
  private HttpServer server;

  public MetricsEndpoint(Supplier<String> render) {
    this.render = render;
  }

  /** Serves /metrics on {@code host}:{@code port} (0 picks a free port); returns the port. */
  public int serve(String host, int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = render.get().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return server.getAddress().getPort();
  }

  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** Appends one sample with its {@code # TYPE} line ({@code counter} or {@code gauge}). */
  public static void sample(StringBuilder out, String name, String type, AtomicLong value) {
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(name).append(' ').append(value.get()).append('\n');
  }
}
