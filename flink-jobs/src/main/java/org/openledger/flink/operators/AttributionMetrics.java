package org.openledger.flink.operators;

import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Counters and gauges the Web UI and Prometheus show for the attribution sequencer: results,
 * sidecar calls and their size, the sealed queue and why it was scored, and how long an inference
 * waits for its seal, in the queue and for its scoring.
 */
final class AttributionMetrics implements AttributionCore.Counts {
  final Counter attributed;
  final Counter unattributed;
  final Counter rejectedContent;
  final Counter duplicates;
  final Counter lowQuality;
  final Counter retracted;
  final Counter reseeds;
  final Counter sidecarCalls;
  final Map<SealedQueue.Reason, Counter> flushes = new EnumMap<>(SealedQueue.Reason.class);
  volatile long lastBatchSize;
  volatile long lastSidecarMillis;
  volatile long lastFlushSize;
  volatile long queued;
  // Processing-time waits inside the sequencer, for the latency breakdown of `bench e2e`; they
  // are measurements only and never touch state or results.
  final Histogram sealWaitMs;
  final Histogram queueWaitMs;
  final Histogram flushMs;

  AttributionMetrics(org.apache.flink.metrics.MetricGroup group) {
    attributed = group.counter("inferencesAttributed");
    unattributed = group.counter("inferencesUnattributed");
    rejectedContent = group.counter("contentRejected");
    duplicates = group.counter("duplicatesFlagged");
    lowQuality = group.counter("lowQualityFlagged");
    retracted = group.counter("resultsRetracted");
    reseeds = group.counter("sidecarReseeds");
    sidecarCalls = group.counter("sidecarScoreCalls");
    group.gauge("sidecarBatchSize", () -> lastBatchSize);
    group.gauge("sidecarLatencyMs", () -> lastSidecarMillis);
    group.gauge("sealedQueueInferences", () -> queued);
    group.gauge("sealedFlushInferences", () -> lastFlushSize);
    sealWaitMs = group.histogram("inferenceSealWaitMs", new DescriptiveStatisticsHistogram(1024));
    queueWaitMs = group.histogram("sealedQueueWaitMs", new DescriptiveStatisticsHistogram(1024));
    flushMs = group.histogram("sealedFlushMs", new DescriptiveStatisticsHistogram(1024));
    flushes.put(SealedQueue.Reason.FULL, group.counter("sealedFlushesFull"));
    flushes.put(SealedQueue.Reason.DEADLINE, group.counter("sealedFlushesDeadline"));
    flushes.put(SealedQueue.Reason.EVENT, group.counter("sealedFlushesBeforeEvent"));
    flushes.put(SealedQueue.Reason.END_OF_INPUT, group.counter("sealedFlushesEndOfInput"));
  }

  @Override
  public void contentRejected() {
    rejectedContent.inc();
  }

  @Override
  public void duplicateFlagged() {
    duplicates.inc();
  }

  @Override
  public void lowQualityFlagged() {
    lowQuality.inc();
  }

  @Override
  public void reseeded() {
    reseeds.inc();
  }

  @Override
  public void scored(boolean isAttributed) {
    (isAttributed ? attributed : unattributed).inc();
  }

  @Override
  public void sidecarCall(int queries, long millis) {
    lastSidecarMillis = millis;
    lastBatchSize = queries;
    sidecarCalls.inc();
  }

  /** One flush of the sealed queue: why, and how many inferences it scored. */
  void flushed(SealedQueue.Reason reason, int inferences) {
    flushes.get(reason).inc();
    lastFlushSize = inferences;
  }
}
