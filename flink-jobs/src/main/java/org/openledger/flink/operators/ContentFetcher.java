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
import java.util.Collections;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.openledger.flink.AttributionJob;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.domain.FetchRejected;
import org.openledger.flink.domain.FetchRules;
import org.openledger.flink.domain.HostResolver;
import org.openledger.flink.domain.Keccak;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the content of contributions and queries by URI under the job's fetch policy, off the
 * task thread, and checks it against its on-chain keccak-256 commitment. A deterministic outcome (a
 * denied URI, oversized, a refused status, a hash mismatch, not UTF-8, empty) becomes a failure
 * reason on the record, which the sequencer dead-letters; a transient one (timeout, connection
 * error, 408/429/5xx) is retried with capped exponential backoff until the content arrives, never
 * decided on, so a replay gives the same results (docs/FETCHING.md). Used with ordered async I/O.
 */
public final class ContentFetcher extends RichAsyncFunction<ChainInput, ChainInput> {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ContentFetcher.class);
  private static final int MAX_URI_IN_REASON = 512;

  private final AttributionJob.Fetching fetching;
  private final HostResolver resolver;
  private transient ExecutorService workers;
  private transient ScheduledExecutorService retryTimer;
  private transient HttpContent http;
  private transient Counter retries;
  private transient AtomicInteger waiting;
  private transient Histogram fetchMillis;

  public ContentFetcher(AttributionJob.Fetching fetching) {
    this(fetching, HostResolver.system());
  }

  /** With a resolver of its own (tests: a name that resolves to loopback, without a network). */
  public ContentFetcher(AttributionJob.Fetching fetching, HostResolver resolver) {
    this.fetching = fetching;
    this.resolver = resolver;
  }

  @Override
  public void open(OpenContext context) {
    // Bounded: at most `concurrency` attempts run at once, each for at most the deadline; a fetch
    // waiting for its next try holds no thread, only a timer entry.
    workers = Executors.newFixedThreadPool(fetching.concurrency(), daemon("content-fetch"));
    retryTimer = Executors.newSingleThreadScheduledExecutor(daemon("content-fetch-retry"));
    http = new HttpContent(fetching.policy(), resolver, fetching.deadline(), fetching.maxBytes());
    retries = new ThreadSafeSimpleCounter();
    waiting = new AtomicInteger();
    MetricGroup group = metricGroup();
    if (group != null) {
      group.counter("contentFetchRetries", retries);
      group.gauge("contentFetchesWaiting", waiting::get);
      // From the record's arrival to its verified content (or failure), retries included: how
      // long a record waits here before the sequencer sees it (ordered: later ones wait behind).
      fetchMillis = group.histogram("contentFetchMs", new DescriptiveStatisticsHistogram(1024));
    }
  }

  private MetricGroup metricGroup() {
    try {
      return getRuntimeContext().getMetricGroup();
    } catch (IllegalStateException e) {
      return null; // not running in Flink (unit tests)
    }
  }

  @Override
  public void close() {
    if (retryTimer != null) {
      retryTimer.shutdownNow();
    }
    if (workers != null) {
      workers.shutdownNow();
    }
    if (http != null) {
      http.close();
    }
  }

  @Override
  public void asyncInvoke(ChainInput in, ResultFuture<ChainInput> result) {
    if (!in.needsContent()) {
      result.complete(Collections.singleton(in));
      return;
    }
    new Pending(in, result).submit();
  }

  /**
   * Flink's async timeout is set very large (AttributionJob); should it ever fire, the fetch keeps
   * going and completes the record itself. Completing it here would turn timing into a decision.
   */
  @Override
  public void timeout(ChainInput in, ResultFuture<ChainInput> result) {
    LOG.warn("fetch for event {} passed the async timeout; it keeps waiting", in.eventId());
  }

  /** Transient retries so far (also the {@code contentFetchRetries} metric). */
  long retries() {
    return retries.getCount();
  }

  /** Fetches waiting after a transient failure (also the {@code contentFetchesWaiting} gauge). */
  int waiting() {
    return waiting.get();
  }

  /** One record's fetch, from its first attempt to its outcome. */
  private final class Pending implements Runnable {
    private final ChainInput in;
    private final ResultFuture<ChainInput> result;
    private final long started = System.nanoTime();
    private int failures;

    Pending(ChainInput in, ResultFuture<ChainInput> result) {
      this.in = in;
      this.result = result;
    }

    void submit() {
      try {
        workers.execute(this);
      } catch (RejectedExecutionException e) {
        // closed: the record is still in Flink's state and is fetched again after a restore
      }
    }

    @Override
    public void run() {
      Outcome outcome = attempt(in);
      if (outcome instanceof Outcome.Done done) {
        finish(done.out());
        return;
      }
      String why = ((Outcome.Transient) outcome).why();
      if (failures++ == 0) {
        waiting.incrementAndGet();
      }
      retries.inc();
      long waited = System.nanoTime() - started;
      Duration giveUp = fetching.giveUpAfter();
      if (!giveUp.isZero() && waited >= giveUp.toNanos()) {
        finish(
            in.withFailure(
                "content unavailable for "
                    + TimeUnit.NANOSECONDS.toMillis(waited)
                    + " ms ("
                    + why
                    + "): given up by content.fetch.give-up-after.ms, a timing-dependent decision"));
        return;
      }
      Duration delay = FetchRules.backoff(failures, fetching.backoffMin(), fetching.backoffMax());
      if (failures == 1 || failures % 10 == 0) {
        LOG.warn(
            "fetch for event {} failed transiently ({}), try {}; next in {} ms",
            in.eventId(),
            why,
            failures,
            delay.toMillis());
      }
      try {
        retryTimer.schedule(this::submit, delay.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // closed, as above
      }
    }

    private void finish(ChainInput out) {
      if (failures > 0) {
        waiting.decrementAndGet();
      }
      if (fetchMillis != null) {
        fetchMillis.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      }
      result.complete(Collections.singleton(out));
    }
  }

  /** What one attempt came to. */
  sealed interface Outcome {
    /** Verified content, or a deterministic failure reason on the record. */
    record Done(ChainInput out) implements Outcome {}

    /** Timing, not a decision: try again later. */
    record Transient(String why) implements Outcome {}
  }

  /** One attempt at {@code in}'s content, never throwing. */
  Outcome attempt(ChainInput in) {
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

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
