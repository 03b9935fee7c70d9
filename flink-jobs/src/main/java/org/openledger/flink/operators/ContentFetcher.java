package org.openledger.flink.operators;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.domain.Keccak;

/**
 * Fetches the content of contributions and queries by URI ({@code file://}, {@code http(s)://}) off
 * the task thread, with a timeout and bounded retries, and checks it against its on-chain
 * keccak-256 commitment. Whatever goes wrong becomes a failure reason on the record, never an
 * exception: the sequencer rejects it and the pipeline keeps going. Used with ordered async I/O, so
 * chain order is kept.
 */
public final class ContentFetcher extends RichAsyncFunction<ChainInput, ChainInput> {

  private final Duration timeout;
  private final int attempts;
  private final int maxBytes;
  private transient HttpClient http;
  private transient ExecutorService pool;

  public ContentFetcher(Duration timeout, int attempts, int maxBytes) {
    this.timeout = timeout;
    this.attempts = attempts;
    this.maxBytes = maxBytes;
  }

  @Override
  public void open(OpenContext context) {
    pool = Executors.newFixedThreadPool(4, r -> new Thread(r, "content-fetch"));
    http = HttpClient.newBuilder().connectTimeout(timeout).executor(pool).build();
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  @Override
  public void asyncInvoke(ChainInput in, ResultFuture<ChainInput> result) {
    if (!in.needsContent()) {
      result.complete(Collections.singleton(in));
      return;
    }
    CompletableFuture.supplyAsync(() -> fetchAndVerify(in), pool)
        .whenComplete(
            (out, error) ->
                result.complete(
                    Collections.singleton(
                        error == null ? out : in.withFailure("fetch failed: " + error))));
  }

  @Override
  public void timeout(ChainInput in, ResultFuture<ChainInput> result) {
    result.complete(Collections.singleton(in.withFailure("fetch of " + in.uri() + " timed out")));
  }

  ChainInput fetchAndVerify(ChainInput in) {
    byte[] bytes;
    try {
      bytes = fetch(in.uri());
    } catch (IOException | IllegalArgumentException e) {
      return in.withFailure("fetch of " + in.uri() + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return in.withFailure("fetch of " + in.uri() + " interrupted");
    }
    String actual = Keccak.hex(bytes);
    if (!actual.equalsIgnoreCase(in.hash())) {
      return in.withFailure(
          "content hash mismatch for "
              + in.uri()
              + ": on chain "
              + in.hash()
              + ", fetched "
              + actual);
    }
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return text.isBlank()
          ? in.withFailure("content of " + in.uri() + " is empty")
          : in.withContent(text);
    } catch (CharacterCodingException e) {
      return in.withFailure("content of " + in.uri() + " is not UTF-8 text");
    }
  }

  private byte[] fetch(String uri) throws IOException, InterruptedException {
    URI parsed = URI.create(uri);
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
    IOException last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        byte[] bytes =
            switch (scheme) {
              case "file" -> Files.readAllBytes(Path.of(parsed));
              case "http", "https" -> http(parsed);
              default ->
                  throw new IllegalArgumentException("unsupported URI scheme '" + scheme + "'");
            };
        if (bytes.length > maxBytes) {
          throw new IllegalArgumentException("content over " + maxBytes + " bytes");
        }
        return bytes;
      } catch (java.nio.file.NoSuchFileException e) {
        throw new IOException("no such file", e); // permanent: no point retrying
      } catch (IOException e) {
        last = e;
        if (attempt < attempts) {
          Thread.sleep(100L << (attempt - 1));
        }
      }
    }
    throw last;
  }

  private byte[] http(URI uri) throws IOException, InterruptedException {
    HttpResponse<java.io.InputStream> response =
        http.send(
            HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() / 100 == 5) {
      response.body().close();
      throw new IOException("HTTP " + response.statusCode()); // transient: retried
    }
    if (response.statusCode() != 200) {
      response.body().close();
      throw new IllegalArgumentException("HTTP " + response.statusCode());
    }
    return bounded(response.body());
  }

  /** Reads at most {@code maxBytes}: hostile content cannot make the task hold more. */
  private byte[] bounded(java.io.InputStream in) throws IOException {
    try (in) {
      byte[] bytes = in.readNBytes(maxBytes + 1);
      if (bytes.length > maxBytes) {
        throw new IllegalArgumentException("content over " + maxBytes + " bytes");
      }
      return bytes;
    }
  }
}
