package org.openledger.bridge.settle;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.openledger.pipeline.PayoutBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps several payout batches on their way to the chain at once, so that one batch's challenge
 * window and confirmations no longer hold up the next (one batch at a time cost the chaos suite's
 * drain a mined block range per transaction). Proposals still leave in window order: a batch
 * proposes only once every earlier batch's proposal has left (the settler's nonces then keep them
 * in order on chain); finalizations overlap freely. Batches are handed back done strictly in the
 * order they came, so the caller commits its offsets as before, and a restart resumes at the first
 * batch not done: the ones after it find their own transactions in the progress store or their
 * effect on chain, and nothing is sent twice.
 *
 * @param <T> where a batch came from (a consumer record), handed back with its outcome
 */
final class BatchPipeline<T> {

  private static final Logger LOG = LoggerFactory.getLogger(BatchPipeline.class);

  /** What the pipeline asks of the writer: {@link SettlementWriter}'s two steps. */
  interface Steps {
    /** Checks and encodes a batch; nothing is sent. */
    SettlementWriter.Prepared prepare(PayoutBatch batch);

    /** One look and one action; an outcome when done, else null (look again). */
    SettlementWriter.Outcome step(SettlementWriter.InFlight batch, boolean mayPropose)
        throws IOException;
  }

  /**
   * A batch done: its source, its label (id and payee count, or "?"), and the reason it was refused
   * (null: paid).
   */
  record Done<T>(T source, String label, String refusal) {}

  private static final class Entry<T> {
    final T source;
    final String label;
    final SettlementWriter.InFlight inFlight;
    boolean done;
    String refusal;

    Entry(T source, String label, SettlementWriter.InFlight inFlight) {
      this.source = source;
      this.label = label;
      this.inFlight = inFlight;
    }
  }

  private final Steps writer;
  private final SettlementMetrics metrics;
  private final int maxInFlight;
  private final long maxBackoffMillis;
  private final Deque<Entry<T>> entries = new ArrayDeque<>();
  private long backoff = 100;

  BatchPipeline(Steps writer, SettlementMetrics metrics, int maxInFlight, long maxBackoffMillis) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1");
    }
    this.writer = writer;
    this.metrics = metrics;
    this.maxInFlight = maxInFlight;
    this.maxBackoffMillis = maxBackoffMillis;
  }

  boolean hasRoom() {
    return entries.size() < maxInFlight;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Takes a batch read from {@code source}; {@code batch} null: undecodable, for {@code why}. */
  void add(T source, PayoutBatch batch, String why) {
    if (batch == null) {
      Entry<T> e = new Entry<>(source, "?", null);
      e.done = true;
      e.refusal = why;
      entries.add(e);
      return;
    }
    SettlementWriter.Prepared prepared = writer.prepare(batch);
    Entry<T> e =
        new Entry<>(
            source,
            batch.getBatchId() + " (" + batch.getPayees().size() + " payees)",
            prepared.inFlight());
    if (prepared.outcome() != null) {
      e.done = true;
      e.refusal = refusal(prepared.outcome());
    }
    entries.add(e);
  }

  /**
   * One look at every batch in flight, in order; returns the batches now done at the head, in
   * order. A node error ends the pass early and backs off (counted, retried on the next pass).
   */
  List<Done<T>> advance() throws InterruptedException {
    boolean mayPropose = true;
    for (Entry<T> e : entries) {
      if (e.done) {
        // A refused batch holds later proposals until its dead letter is written and its offset
        // committed: a restart before then simulates it again, and a later window proposed in
        // the meantime would change its reason to WindowOutOfOrder.
        mayPropose &= e.refusal == null;
        continue;
      }
      try {
        SettlementWriter.Outcome outcome = writer.step(e.inFlight, mayPropose);
        if (outcome != null) {
          e.done = true;
          e.refusal = refusal(outcome);
          mayPropose &= e.refusal == null;
          continue;
        }
      } catch (IOException ex) {
        metrics.transientErrors.incrementAndGet();
        LOG.warn("batch {}: {} (retrying in {} ms)", e.label, ex.getMessage(), backoff);
        Thread.sleep(backoff);
        backoff = Math.min(maxBackoffMillis, backoff * 2);
        return drain();
      }
      // A window's proposal that has not left holds back every later one's.
      mayPropose &= e.inFlight.proposalOut();
    }
    backoff = 100;
    return drain();
  }

  private List<Done<T>> drain() {
    List<Done<T>> done = new ArrayList<>();
    while (!entries.isEmpty() && entries.peekFirst().done) {
      Entry<T> e = entries.pollFirst();
      done.add(new Done<>(e.source, e.label, e.refusal));
    }
    return done;
  }

  private static String refusal(SettlementWriter.Outcome outcome) {
    return outcome.kind() == SettlementWriter.Outcome.Kind.REFUSED ? outcome.detail() : null;
  }
}
