package org.openledger.bridge.streams;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The read-only HTTP API of live balances: {@code GET /balances/{address}} (accrued, settled and
 * pending wei, as decimal strings), {@code GET /datanets/{id}}, {@code GET /models/{id}} and {@code
 * GET /metrics}. Bad requests get a 400 with the reason; unknown keys a 404; anything but GET a
 * 405.
 */
public final class BalancesApi {

  /** Where the API reads from: the state stores, or fakes in tests. */
  public interface Views {
    Optional<Balance> balance(String address);

    Optional<DatanetView> datanet(long datanetId);

    Optional<ModelView> model(long modelId);
  }

  private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Views views;
  private final Supplier<String> metrics;
  private HttpServer server;

  public BalancesApi(Views views, Supplier<String> metrics) {
    this.views = views;
    this.metrics = metrics;
  }

  /** Serves on {@code host:port} (0 picks a free port); returns the port. */
  public int start(String host, int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext("/", this::handle);
    server.start();
    return server.getAddress().getPort();
  }

  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")) {
        send(exchange, 405, error("only GET is served"));
        return;
      }
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/metrics")) {
        send(exchange, 200, metrics.get(), "text/plain; version=0.0.4");
      } else if (path.startsWith("/balances/")) {
        balance(exchange, path.substring("/balances/".length()));
      } else if (path.startsWith("/datanets/")) {
        datanet(exchange, path.substring("/datanets/".length()));
      } else if (path.startsWith("/models/")) {
        model(exchange, path.substring("/models/".length()));
      } else {
        send(
            exchange,
            404,
            error("no such resource; try /balances/{address}, /datanets/{id} or /models/{id}"));
      }
    } catch (RuntimeException e) {
      send(exchange, 503, error("views not available yet: " + e.getClass().getSimpleName()));
    }
  }

  private void balance(HttpExchange exchange, String address) throws IOException {
    if (!ADDRESS.matcher(address).matches()) {
      send(exchange, 400, error("not an address (0x and 40 hex digits): " + shorten(address)));
      return;
    }
    String payee = address.toLowerCase(Locale.ROOT);
    Optional<Balance> balance = views.balance(payee);
    if (balance.isEmpty()) {
      send(exchange, 404, error("no accruals, settlements or stake events for " + payee));
      return;
    }
    Map<String, String> body = new LinkedHashMap<>();
    body.put("address", payee);
    body.put("accruedWei", balance.get().accrued().toString());
    body.put("settledWei", balance.get().settled().toString());
    body.put("pendingWei", balance.get().pending().toString());
    // As a contributor: stake taken by governance, and stake frozen by flags not yet decided.
    body.put("slashedStakeWei", balance.get().slashedStake().toString());
    body.put("flaggedStakeWei", balance.get().flaggedStake().toString());
    send(exchange, 200, JSON.writeValueAsString(body));
  }

  private void datanet(HttpExchange exchange, String id) throws IOException {
    long datanetId;
    try {
      datanetId = Long.parseLong(id);
    } catch (NumberFormatException e) {
      send(exchange, 400, error("not a Datanet id: " + shorten(id)));
      return;
    }
    Optional<DatanetView> view = views.datanet(datanetId);
    if (view.isEmpty()) {
      send(exchange, 404, error("no Datanet " + datanetId));
      return;
    }
    send(exchange, 200, view.get().toJson());
  }

  private void model(HttpExchange exchange, String id) throws IOException {
    long modelId;
    try {
      modelId = Long.parseLong(id);
    } catch (NumberFormatException e) {
      send(exchange, 400, error("not a model id: " + shorten(id)));
      return;
    }
    Optional<ModelView> view = views.model(modelId);
    if (view.isEmpty()) {
      send(exchange, 404, error("no paid inferences or accruals for model " + modelId));
      return;
    }
    send(exchange, 200, JSON.writeValueAsString(view.get()));
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static String error(String message) {
    try {
      return JSON.writeValueAsString(Map.of("error", message));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    send(exchange, status, body, "application/json");
  }

  private static void send(HttpExchange exchange, int status, String body, String type)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
