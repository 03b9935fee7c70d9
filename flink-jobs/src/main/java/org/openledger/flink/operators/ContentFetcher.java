package org.openledger.flink.operators;

import java.time.Duration;
import java.util.Collections;
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
import org.openledger.flink.domain.FetchRules;
import org.openledger.flink.domain.HostResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the content of contributions and queries by URI under the job's fetch policy, off the
 * task thread, and checks it against its on-chain keccak-256 commitment ({@link ContentAttempts},
 * which replay runs as well). A deterministic outcome (a denied URI, oversized, a refused status, a
 * hash mismatch, not UTF-8, empty) becomes a failure reason on the record, which the sequencer
 * dead-letters; a transient one (timeout, connection error, 408/429/5xx) is retried with capped
 * exponential backoff until the content arrives, never decided on, so a replay gives the same
 * results (docs/FETCHING.md). Used with ordered async I/O.
 */
public final class ContentFetcher extends RichAsyncFunction<ChainInput, ChainInput> {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ContentFetcher.class);

  private final AttributionJob.Fetching fetching;
  private final HostResolver resolver;
  private transient ExecutorService workers;
  private transient ScheduledExecutorService retryTimer;
  private transient ContentAttempts attempts;
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
    attempts = new ContentAttempts(fetching, resolver);
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
    if (attempts != null) {
      attempts.close();
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
      ContentAttempts.Outcome outcome = attempts.attempt(in);
      if (outcome instanceof ContentAttempts.Outcome.Done done) {
        finish(done.out());
        return;
      }
      String why = ((ContentAttempts.Outcome.Transient) outcome).why();
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

  /** One attempt at {@code in}'s content, never throwing. */
  ContentAttempts.Outcome attempt(ChainInput in) {
    return attempts.attempt(in);
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
