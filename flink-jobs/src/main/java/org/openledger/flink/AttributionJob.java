package org.openledger.flink;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.attribution.Duplicate;
import org.openledger.flink.attribution.Rejection;
import org.openledger.flink.attribution.SidecarGateway;
import org.openledger.flink.domain.FetchPolicy;
import org.openledger.flink.operators.AttributionOperator;
import org.openledger.flink.operators.ContentFetcher;

/**
 * The attribution job: {@code chain.events} in chain order → content fetched and verified →
 * contributions indexed and inferences attributed once their block is sealed → {@code
 * attribution.results} and dead letters, both exactly once. Event time is the block number; the
 * watermark is the last sealed block, so the Web UI shows how far the job has got.
 */
public final class AttributionJob {

  /**
   * How content is fetched: the policy (what a URI may reach), the total deadline of one attempt
   * (connect, headers and body), the largest content, how many attempts run at once, the backoff
   * between transient failures, and an opt-in give-up ({@link Duration#ZERO}: never) that turns a
   * long transient failure into a timing-dependent dead letter (docs/FETCHING.md).
   */
  public record Fetching(
      FetchPolicy policy,
      Duration deadline,
      int maxBytes,
      int concurrency,
      Duration backoffMin,
      Duration backoffMax,
      Duration giveUpAfter)
      implements Serializable {

    public Fetching {
      Objects.requireNonNull(policy, "policy");
      if (deadline.isNegative() || deadline.isZero() || maxBytes < 1 || concurrency < 1) {
        throw new IllegalArgumentException("deadline, maxBytes and concurrency must be positive");
      }
      if (backoffMin.isNegative() || backoffMin.isZero() || backoffMax.compareTo(backoffMin) < 0) {
        throw new IllegalArgumentException("backoff must be positive, min <= max");
      }
      if (giveUpAfter.isNegative()) {
        throw new IllegalArgumentException("giveUpAfter must not be negative");
      }
    }
  }

  /**
   * How the sequencer batches sealed blocks' inferences into sidecar calls: it scores its queue
   * once it holds at least {@code maxInferences} or once {@code maxDelay} has passed since the
   * oldest queued seal. One inference per call ({@code maxInferences} 1) scores each seal at once.
   */
  public record Batching(int maxInferences, Duration maxDelay) implements Serializable {

    public Batching {
      Objects.requireNonNull(maxDelay, "maxDelay");
      if (maxInferences < 1 || maxDelay.isNegative() || maxDelay.isZero()) {
        throw new IllegalArgumentException("maxInferences and maxDelay must be positive");
      }
    }

    /** Every seal scored at once, as before batching (tests that assert per-seal calls). */
    public static Batching perSeal() {
      return new Batching(1, Duration.ofMillis(1));
    }
  }

  /**
   * Flink's own timeout of one async fetch: far beyond any backoff, since a fetch waits as long as
   * its content takes (ContentFetcher#timeout never completes a record either).
   */
  static final Duration ASYNC_TIMEOUT = Duration.ofDays(7);

  private final Source<ChainInput, ?, ?> source;
  private final Sink<Attribution> results;
  private final Sink<Rejection> deadLetters;
  private final Sink<Duplicate> slashProposals;
  private final SidecarGateway.Factory sidecar;
  private final Fetching fetching;
  private final long retractWindowBlocks;
  private final Batching batching;

  public AttributionJob(
      Source<ChainInput, ?, ?> source,
      Sink<Attribution> results,
      Sink<Rejection> deadLetters,
      Sink<Duplicate> slashProposals,
      SidecarGateway.Factory sidecar,
      Fetching fetching,
      long retractWindowBlocks,
      Batching batching) {
    this.source = Objects.requireNonNull(source, "source");
    this.results = Objects.requireNonNull(results, "results");
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.slashProposals = Objects.requireNonNull(slashProposals, "slashProposals");
    this.sidecar = Objects.requireNonNull(sidecar, "sidecar");
    this.fetching = Objects.requireNonNull(fetching, "fetching");
    this.retractWindowBlocks = retractWindowBlocks;
    this.batching = Objects.requireNonNull(batching, "batching");
  }

  /** Wires the job into {@code env}; every operator has a readable name and a stable uid. */
  public void build(StreamExecutionEnvironment env) {
    // Every operator at 1: the reader and the ordered fetch keep chain order, the sequencer is the
    // chain's (below), and each sink writes its topic in the sequencer's order.
    DataStream<ChainInput> events =
        env.fromSource(source, sealWatermarks(), "chain.events (ordered)")
            .uid("attribution-chain-events")
            .setParallelism(1);
    // Ordered: content arrives out of order, records leave in chain order. A transient failure
    // waits (retried) instead of deciding, so later records wait behind it: a replay then sees the
    // same outcomes. In-flight records are in the operator's checkpointed state and are fetched
    // again after a restore.
    DataStream<ChainInput> fetched =
        AsyncDataStream.orderedWait(
                events,
                new ContentFetcher(fetching),
                ASYNC_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS,
                256)
            .name("fetch + verify content (keccak)")
            .uid("attribution-content-fetch")
            .setParallelism(1);
    // At 1, not the job's parallelism, although keyed by chain: one job follows one chain with one
    // sidecar, whose index is not per chain and which every sequencer instance resets and re-seeds
    // from its own state. The check that turns a second chain into dead letters is per instance:
    // at p > 1 two chains on two subtasks would both pass it and overwrite each other's index.
    // One chain is one key anyway, so more subtasks would only stand idle.
    SingleOutputStreamOperator<Attribution> attributed =
        fetched
            .keyBy(ChainInput::chainId)
            .process(new AttributionOperator(sidecar, retractWindowBlocks, batching))
            .name("attribute sealed blocks (sidecar)")
            .uid("attribution-sequencer")
            .setParallelism(1);
    // One writer per output: the topics keep the sequencer's order (chain order).
    attributed
        .sinkTo(results)
        .name("attribution.results")
        .uid("attribution-results-sink")
        .setParallelism(1);
    attributed
        .getSideOutput(AttributionOperator.REJECTED)
        .sinkTo(deadLetters)
        .name("pipeline.dead-letters")
        .uid("attribution-dead-letters-sink")
        .setParallelism(1);
    attributed
        .getSideOutput(AttributionOperator.DUPLICATES)
        .sinkTo(slashProposals)
        .name("attribution.slash-proposals")
        .uid("attribution-slash-proposals-sink")
        .setParallelism(1);
  }

  /** Timestamps are block numbers; a seal of block N moves the watermark to N. */
  static WatermarkStrategy<ChainInput> sealWatermarks() {
    return WatermarkStrategy.<ChainInput>forGenerator(ctx -> new SealWatermarks())
        .withTimestampAssigner((event, previous) -> event.block());
  }

  private static final class SealWatermarks implements WatermarkGenerator<ChainInput> {
    private long sealed = Long.MIN_VALUE;

    @Override
    public void onEvent(ChainInput event, long timestamp, WatermarkOutput output) {
      if (event.kind() == ChainInput.Kind.SEAL && event.block() > sealed) {
        sealed = event.block();
        output.emitWatermark(new Watermark(sealed));
      }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {}
  }
}
