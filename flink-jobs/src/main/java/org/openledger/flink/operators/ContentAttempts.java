package org.openledger.flink.operators;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.openledger.flink.AttributionJob;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.domain.FetchRejected;
import org.openledger.flink.domain.FetchRules;
import org.openledger.flink.domain.HostResolver;
import org.openledger.flink.domain.Keccak;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at a record's content under the fetch policy, checked against its on-chain keccak-256
 * commitment, without Flink: the job's {@link ContentFetcher} runs it on its async workers with
 * retries, {@code bin/openledger replay} in its own thread ({@link #fetch}). A deterministic
 * outcome (denied URI, oversized, refused status, hash mismatch, not UTF-8, empty) is a failure
 * reason on the record; a transient one is only a reason to try again (docs/FETCHING.md).
 */
public final class ContentAttempts implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ContentAttempts.class);
  private static final int MAX_URI_IN_REASON = 512;

  /** What one attempt came to. */
  public sealed interface Outcome {
    /** Verified content, or a deterministic failure reason on the record. */
    record Done(ChainInput out) implements Outcome {}

    /** Timing, not a decision: try again later. */
    record Transient(String why) implements Outcome {}
  }

  private final AttributionJob.Fetching fetching;
  private final HttpContent http;

  public ContentAttempts(AttributionJob.Fetching fetching, HostResolver resolver) {
    this.fetching = fetching;
    this.http =
        new HttpContent(fetching.policy(), resolver, fetching.deadline(), fetching.maxBytes());
  }

  /**
   * The record with its content or its deterministic failure, trying again after each transient
   * failure with the job's backoff for as long as it takes (never a timing-dependent decision).
   */
  public ChainInput fetch(ChainInput in) throws InterruptedException {
    if (!in.needsContent()) {
      return in;
    }
    int failures = 0;
    while (true) {
      Outcome outcome = attempt(in);
      if (outcome instanceof Outcome.Done done) {
        return done.out();
      }
      failures++;
      Duration delay = FetchRules.backoff(failures, fetching.backoffMin(), fetching.backoffMax());
      if (failures == 1 || failures % 10 == 0) {
        LOG.warn(
            "fetch for event {} failed transiently ({}), try {}; next in {} ms",
            in.eventId(),
            ((Outcome.Transient) outcome).why(),
            failures,
            delay.toMillis());
      }
      Thread.sleep(delay.toMillis());
    }
  }

  /** One attempt at {@code in}'s content, never throwing. */
  public Outcome attempt(ChainInput in) {
    byte[] bytes;
    try {
      URI uri = fetching.policy().check(in.uri());
      bytes = uri.getScheme().toLowerCase(Locale.ROOT).equals("file") ? file(uri) : http.fetch(uri);
    } catch (FetchRejected e) {
      return new Outcome.Done(in.withFailure(e.reason()));
    } catch (IOException e) {
      LOG.debug("fetch for event {} failed transiently", in.eventId(), e);
      return new Outcome.Transient(kind(e));
    } catch (RuntimeException e) {
      // A bug or a library surprise is not a verdict on the content: retry, and say so loudly.
      LOG.error("fetch for event {} failed unexpectedly; retrying", in.eventId(), e);
      return new Outcome.Transient("unexpected " + e.getClass().getSimpleName());
    }
    return new Outcome.Done(verify(in, bytes));
  }

  @Override
  public void close() {
    http.close();
  }

  private byte[] file(URI uri) throws FetchRejected, IOException {
    Path real = fetching.policy().resolveFile(uri);
    // NOFOLLOW_LINKS: a link swapped in after the check is not followed
    try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
      return bounded(in, fetching.maxBytes());
    }
  }

  /** Reads at most {@code maxBytes}: hostile content cannot make the task hold more. */
  static byte[] bounded(InputStream in, int maxBytes) throws FetchRejected, IOException {
    byte[] bytes = in.readNBytes(maxBytes + 1);
    if (bytes.length > maxBytes) {
      throw new FetchRejected("content over " + maxBytes + " bytes");
    }
    return bytes;
  }

  /** A transient failure's kind, without addresses or messages from the far side. */
  private static String kind(IOException e) {
    if (e instanceof HttpContent.TransientStatus s) {
      return "HTTP " + s.code;
    }
    if (e instanceof InterruptedIOException) {
      return "timed out";
    }
    if (e instanceof UnknownHostException) {
      return "unknown host";
    }
    return "connection or read failed";
  }

  private ChainInput verify(ChainInput in, byte[] bytes) {
    String uri = FetchRules.shorten(in.uri(), MAX_URI_IN_REASON);
    String actual = Keccak.hex(bytes);
    if (!actual.equalsIgnoreCase(in.hash())) {
      return in.withFailure(
          "content hash mismatch for " + uri + ": on chain " + in.hash() + ", fetched " + actual);
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
          ? in.withFailure("content of " + uri + " is empty")
          : in.withContent(text);
    } catch (CharacterCodingException e) {
      return in.withFailure("content of " + uri + " is not UTF-8 text");
    }
  }
}
