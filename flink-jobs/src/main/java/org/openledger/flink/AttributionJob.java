package org.openledger.flink;

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
import org.openledger.flink.operators.AttributionOperator;
import org.openledger.flink.operators.ContentFetcher;

/**
 * The attribution job: {@code chain.events} in chain order → content fetched and verified →
 * contributions indexed and inferences attributed once their block is sealed → {@code
 * attribution.results} and dead letters, both exactly once. Event time is the block number; the
 * watermark is the last sealed block, so the Web UI shows how far the job has got.
 */
public final class AttributionJob {

  /** How content is fetched: per-attempt timeout, attempts, largest accepted content. */
  public record Fetching(Duration timeout, int attempts, int maxBytes) {}

  private final Source<ChainInput, ?, ?> source;
  private final Sink<Attribution> results;
  private final Sink<Rejection> deadLetters;
  private final Sink<Duplicate> slashProposals;
  private final SidecarGateway.Factory sidecar;
  private final Fetching fetching;
  private final long retractWindowBlocks;

  public AttributionJob(
      Source<ChainInput, ?, ?> source,
      Sink<Attribution> results,
      Sink<Rejection> deadLetters,
      Sink<Duplicate> slashProposals,
      SidecarGateway.Factory sidecar,
      Fetching fetching,
      long retractWindowBlocks) {
    this.source = Objects.requireNonNull(source, "source");
    this.results = Objects.requireNonNull(results, "results");
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.slashProposals = Objects.requireNonNull(slashProposals, "slashProposals");
    this.sidecar = Objects.requireNonNull(sidecar, "sidecar");
    this.fetching = fetching;
    this.retractWindowBlocks = retractWindowBlocks;
  }

  /** Wires the job into {@code env}; every operator has a readable name and a stable uid. */
  public void build(StreamExecutionEnvironment env) {
    DataStream<ChainInput> events =
        env.fromSource(source, sealWatermarks(), "chain.events (ordered)")
            .uid("attribution-chain-events")
            .setParallelism(1);
    // Ordered: content arrives out of order, records leave in chain order. The async timeout
    // covers every retry of one fetch.
    long budget = fetching.timeout().toMillis() * (fetching.attempts() + 1) + 1_000;
    DataStream<ChainInput> fetched =
        AsyncDataStream.orderedWait(
                events,
                new ContentFetcher(fetching.timeout(), fetching.attempts(), fetching.maxBytes()),
                budget,
                TimeUnit.MILLISECONDS,
                256)
            .name("fetch + verify content (keccak)")
            .uid("attribution-content-fetch")
            .setParallelism(1);
    SingleOutputStreamOperator<Attribution> attributed =
        fetched
            .keyBy(ChainInput::chainId)
            .process(new AttributionOperator(sidecar, retractWindowBlocks))
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
