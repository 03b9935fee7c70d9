package org.openledger.flink.sidecar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Flink jobs' Arrow Flight client to the GPU inference sidecar: one reused connection, rows
 * sent as record batches of bounded size, a deadline on every call, retries with backoff while the
 * sidecar is unreachable, its shared token on every call when one is given, and its errors mapped
 * to {@link SidecarException}'s subclasses. It borrows the caller's allocator and frees every
 * buffer before returning, error or not.
 */
public final class SidecarClient implements AutoCloseable {

  /**
   * How the client calls: per-call deadline, attempts while unavailable, rows and bytes per batch
   * (the sidecar refuses batches over 65536 rows or 256 MiB by default: these stay well under).
   */
  public record Options(
      Duration timeout,
      int maxAttempts,
      Duration initialBackoff,
      int maxBatchRows,
      long maxBatchBytes) {
    public Options {
      if (maxAttempts < 1
          || maxBatchRows < 1
          || maxBatchBytes < 1
          || timeout.isNegative()
          || timeout.isZero()) {
        throw new IllegalArgumentException(
            "attempts, batch rows, batch bytes and timeout must be positive");
      }
    }

    public static Options defaults() {
      return new Options(Duration.ofSeconds(30), 5, Duration.ofMillis(200), 4096, 64L << 20);
    }

    public Options withTimeout(Duration timeout) {
      return new Options(timeout, maxAttempts, initialBackoff, maxBatchRows, maxBatchBytes);
    }

    public Options withAttempts(int attempts, Duration backoff) {
      return new Options(timeout, attempts, backoff, maxBatchRows, maxBatchBytes);
    }

    public Options withMaxBatchRows(int rows) {
      return new Options(timeout, maxAttempts, initialBackoff, rows, maxBatchBytes);
    }

    public Options withMaxBatchBytes(long bytes) {
      return new Options(timeout, maxAttempts, initialBackoff, maxBatchRows, bytes);
    }
  }

  private final BufferAllocator allocator;
  private final FlightClient client;
  private final Options options;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * A client that sends {@code token} (the sidecar's {@code OPENLEDGER_SIDECAR_TOKEN}) on every
   * call; null or blank sends none, which only a sidecar on loopback without a token accepts.
   */
  public SidecarClient(BufferAllocator allocator, URI flightUri, Options options, String token) {
    this.allocator = allocator;
    FlightClient.Builder builder = FlightClient.builder(allocator, new Location(flightUri));
    if (token != null && !token.isBlank()) {
      builder.intercept(new BearerToken(token.strip()));
    }
    this.client = builder.build();
    this.options = options;
  }

  public SidecarClient(BufferAllocator allocator, URI flightUri, Options options) {
    this(allocator, flightUri, options, null);
  }

  public SidecarClient(BufferAllocator allocator, URI flightUri, Duration timeout) {
    this(allocator, flightUri, Options.defaults().withTimeout(timeout));
  }

  /** Asks the sidecar whether it is alive and ready to score. */
  public SidecarHealth health() {
    JsonNode doc = action("health", null);
    return new SidecarHealth(doc.path("status").asText(""), doc.path("ready").asBoolean(false));
  }

  /** Backend, memory budget and use, rows and bytes per index and per model, as JSON. */
  public JsonNode stats() {
    return action("stats", null);
  }

  /** Tells a re-seeded sidecar that it may score again. */
  public SidecarHealth ready() {
    JsonNode doc = action("ready", null);
    return new SidecarHealth(doc.path("status").asText(""), doc.path("ready").asBoolean(false));
  }

  /** Makes the sidecar forget every model and index; it scores again after {@link #ready()}. */
  public void reset() {
    action("reset", null);
  }

  /** Declares which Datanets a model scores against, in which encoder's space. */
  public void registerModel(long modelId, List<Long> datanetIds, String encoder) {
    ObjectNode body = json.createObjectNode().put("model_id", modelId).put("encoder", encoder);
    datanetIds.forEach(body.putArray("datanet_ids")::add);
    action("register_model", body);
  }

  /** Ends a contribution's active interval at {@code atBlock} (rejected, slashed, reorged). */
  public void close(long datanetId, long contributionId, long atBlock) {
    ObjectNode body = json.createObjectNode().put("datanet_id", datanetId);
    action("close", body.put("contribution_id", contributionId).put("at_block", atBlock));
  }

  /** Reopens an interval whose closing event was itself retracted by a reorg. */
  public void reopen(long datanetId, long contributionId) {
    ObjectNode body = json.createObjectNode().put("datanet_id", datanetId);
    action("reopen", body.put("contribution_id", contributionId));
  }

  /**
   * Indexes contributions of one Datanet in one encoder's space, in order. With {@code matches}
   * each answer carries its best earlier active match; re-seeding passes false to skip that.
   */
  public List<IndexMatch> index(
      long datanetId, String encoder, boolean matches, List<IndexRow> rows) {
    ObjectNode command = json.createObjectNode().put("op", "index").put("datanet_id", datanetId);
    command.put("encoder", encoder).put("matches", matches);
    List<IndexMatch> out = new ArrayList<>(rows.size());
    exchange(
        command,
        ArrowBatches.INDEX,
        rows,
        options.maxBatchRows(),
        row -> BatchSizes.rowBytes(row.text(), row.vector()),
        (root, chunk) -> ArrowBatches.fillIndex(root, chunk),
        (schema, root) -> out.addAll(ArrowResults.indexMatches(root)));
    return out;
  }

  /** Scores queries of one model; the result has an entry (maybe empty) for every query. */
  public ScoreResult score(long modelId, int k, double threshold, List<ScoreQuery> queries) {
    return score(modelId, k, threshold, ScoreMethod.EMBEDDING, queries);
  }

  /**
   * As {@link #score(long, int, double, List)} by {@code method}; span scoring takes text queries
   * and its result names {@code span-match} as the encoder.
   */
  public ScoreResult score(
      long modelId, int k, double threshold, ScoreMethod method, List<ScoreQuery> queries) {
    ObjectNode command = json.createObjectNode().put("op", "score").put("model_id", modelId);
    command.put("k", k).put("threshold", threshold);
    if (method != ScoreMethod.EMBEDDING) { // the default: embedding commands stay as they were
      command.put("method", method.wire());
    }
    ArrowResults.ScoreCollector collector = new ArrowResults.ScoreCollector(queries);
    exchange(
        command,
        ArrowBatches.SCORE,
        queries,
        BatchSizes.scoreRows(options.maxBatchRows(), k),
        query -> BatchSizes.rowBytes(query.text(), query.vector()),
        (root, chunk) -> ArrowBatches.fillScore(root, chunk),
        collector::add);
    return collector.result();
  }

  private interface Filler<T> {
    void fill(VectorSchemaRoot root, List<T> chunk);
  }

  private interface Reader {
    void read(Schema schema, VectorSchemaRoot root);
  }

  /**
   * One DoExchange in lock step: the sidecar answers each batch with one batch, so reading each
   * answer before sending the next keeps both sides' buffers bounded and never deadlocks.
   */
  private <T> void exchange(
      ObjectNode command,
      Schema schema,
      List<T> rows,
      int maxRows,
      ToLongFunction<T> bytesOfRow,
      Filler<T> filler,
      Reader reader) {
    if (rows.isEmpty()) {
      return;
    }
    String op = command.path("op").asText();
    byte[] descriptor = command.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    withRetries(
        op,
        () -> {
          try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
              FlightClient.ExchangeReaderWriter stream =
                  client.doExchange(FlightDescriptor.command(descriptor), deadline())) {
            stream.getWriter().start(root);
            for (int from = 0, to; from < rows.size(); from = to) {
              to = BatchSizes.end(rows, from, maxRows, options.maxBatchBytes(), bytesOfRow);
              filler.fill(root, rows.subList(from, to));
              stream.getWriter().putNext();
              if (!stream.getReader().next()) {
                throw new SidecarException(
                    "sidecar ended the " + op + " stream early", false, null);
              }
              reader.read(stream.getReader().getSchema(), stream.getReader().getRoot());
            }
            stream.getWriter().completed();
            while (stream.getReader().next()) {
              // drain to the end of the stream so the call completes cleanly
            }
            stream.getResult();
            return null;
          } catch (FlightRuntimeException | SidecarException e) {
            throw e;
          } catch (Exception e) {
            throw new SidecarException("sidecar " + op + " failed: " + e.getMessage(), false, e);
          }
        });
  }

  private JsonNode action(String type, ObjectNode body) {
    byte[] payload =
        body == null
            ? new byte[0]
            : body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return withRetries(
        type,
        () -> {
          Iterator<Result> results = client.doAction(new Action(type, payload), deadline());
          if (!results.hasNext()) {
            throw new SidecarException(
                "sidecar returned no result for action " + type, false, null);
          }
          byte[] reply = results.next().getBody();
          results.forEachRemaining(r -> {});
          try {
            return json.readTree(reply);
          } catch (IOException e) {
            throw new SidecarException(
                "sidecar action " + type + " returned malformed JSON", false, e);
          }
        });
  }

  private CallOption deadline() {
    return CallOptions.timeout(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs {@code call}, retrying with doubling backoff while the sidecar is unreachable. */
  private <R> R withRetries(String what, Supplier<R> call) {
    long backoff = options.initialBackoff().toMillis();
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (FlightRuntimeException e) {
        SidecarException mapped = SidecarErrors.map(what, e);
        if (!(mapped instanceof SidecarException.Unavailable) || attempt >= options.maxAttempts()) {
          throw mapped;
        }
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SidecarException("interrupted while retrying sidecar " + what, false, e);
      }
      backoff = Math.min(backoff * 2, 5_000);
    }
  }

  @Override
  public void close() throws InterruptedException {
    client.close();
  }
}
