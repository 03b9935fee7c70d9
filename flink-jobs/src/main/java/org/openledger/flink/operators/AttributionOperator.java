package org.openledger.flink.operators;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.openledger.flink.AttributionJob;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.attribution.Contribution;
import org.openledger.flink.attribution.Duplicate;
import org.openledger.flink.attribution.Model;
import org.openledger.flink.attribution.Rejection;
import org.openledger.flink.attribution.SidecarGateway;
import org.openledger.flink.domain.Params;

/**
 * The attribution job's sequencer: applies {@code chain.events} in chain order (one key: the chain)
 * and attributes each inference once its block is sealed, i.e. once every event of that block has
 * been applied. Contributions, models and params live in Flink state (the truth); the sidecar holds
 * a copy that is reset and re-seeded from it whenever this operator starts or the sidecar restarts.
 * Results are emitted in (block, log index) order, so a replay of the log gives the same results in
 * the same order. Sealed inferences wait in a {@link SealedQueue} so that many seals share one
 * sidecar call; the results are the same, in the same order, as scoring each seal on arrival. The
 * rules themselves are {@link AttributionCore}'s (Flink-free, also run by replay); this operator
 * keeps what is Flink's: the chain check, pending inferences, the queue's timers, retractions.
 */
public final class AttributionOperator extends KeyedProcessFunction<Long, ChainInput, Attribution> {

  public static final OutputTag<Rejection> REJECTED = new OutputTag<>("rejected") {};
  public static final OutputTag<Duplicate> DUPLICATES = new OutputTag<>("duplicates") {};

  private final SidecarGateway.Factory sidecars;
  private final long retractWindowBlocks;
  private final AttributionJob.Batching batching;
  private transient SidecarGateway sidecar;
  private transient Long followedChain;
  private transient ListState<ChainInput> pending;
  private transient EmittedResults emitted;
  private transient SealedQueue queue;
  private transient AttributionMetrics metrics;
  private transient AttributionCore core;
  // Processing time (ms) the oldest unsealed inference and the oldest queued seal arrived; -1:
  // none. Metrics only (lost on restore, which only skips one measurement).
  private transient long firstPendingAt;
  private transient long firstQueuedAt;

  /**
   * @param retractWindowBlocks how long an emitted result is kept so a reorg can retract it (at
   *     least the follower's reorg window)
   * @param batching how many sealed inferences, or how long, the operator waits before scoring
   */
  public AttributionOperator(
      SidecarGateway.Factory sidecars, long retractWindowBlocks, AttributionJob.Batching batching) {
    this.sidecars = sidecars;
    this.retractWindowBlocks = retractWindowBlocks;
    this.batching = batching;
  }

  @Override
  public void open(OpenContext context) {
    MapState<Long, Contribution> contributions =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("contributions", Long.class, Contribution.class));
    MapState<Long, Model> models =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("models", Long.class, Model.class));
    ListState<Params> params =
        getRuntimeContext().getListState(new ListStateDescriptor<>("params", Params.class));
    pending =
        getRuntimeContext().getListState(new ListStateDescriptor<>("pending", ChainInput.class));
    emitted = new EmittedResults(getRuntimeContext(), retractWindowBlocks);
    queue = new SealedQueue(getRuntimeContext(), batching);
    MapState<Long, Duplicate> duplicates =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("duplicates", Long.class, Duplicate.class));
    metrics = new AttributionMetrics(getRuntimeContext().getMetricGroup());
    firstPendingAt = -1; // transient fields are not initialised when Flink deserializes us
    firstQueuedAt = -1;
    sidecar = sidecars.open();
    // A new core: whatever the sidecar holds now, it is rebuilt from this state first.
    core =
        new AttributionCore(
            sidecar,
            new AttributionCore.State(
                FlinkKeyedState.table(contributions),
                FlinkKeyedState.table(models),
                FlinkKeyedState.bag(params),
                FlinkKeyedState.table(duplicates)),
            metrics);
  }

  @Override
  public void close() {
    if (sidecar != null) {
      sidecar.close();
    }
  }

  @Override
  public void processElement(ChainInput in, Context ctx, Collector<Attribution> out)
      throws Exception {
    if (followedChain == null) {
      followedChain = in.chainId();
    } else if (followedChain != in.chainId()) {
      // The sidecar's ids are not per chain: one job (and one sidecar) follows one chain.
      ctx.output(
          REJECTED,
          Rejection.of(
              "attribution",
              "this attribution job follows chain "
                  + followedChain
                  + "; a record of chain "
                  + in.chainId()
                  + " is not attributed (run one job and sidecar per chain)",
              in));
      return;
    }
    core.ensureSeeded();
    if (queue.affectedBy(in)) {
      flush(SealedQueue.Reason.EVENT, ctx, out);
    }
    switch (in.kind()) {
      case CONTRIBUTION, REVIEW, SLASH, WITHDRAW, MODEL, PARAMS -> core.apply(in, output(ctx));
      case INFERENCE -> inference(in, out);
      case SEAL -> seal(in.block(), ctx, out);
      case OTHER -> {}
    }
  }

  /** The core's dead letters and slash proposals, onto this operator's side outputs. */
  private static AttributionCore.Output output(Context ctx) {
    return new AttributionCore.Output() {
      @Override
      public void rejected(Rejection rejection) {
        ctx.output(REJECTED, rejection);
      }

      @Override
      public void duplicate(Duplicate duplicate) {
        ctx.output(DUPLICATES, duplicate);
      }
    };
  }

  private void inference(ChainInput in, Collector<Attribution> out) throws Exception {
    if (!in.removed()) {
      pending.add(in);
      if (firstPendingAt < 0) {
        firstPendingAt = System.currentTimeMillis();
      }
      return;
    }
    List<ChainInput> kept = new ArrayList<>();
    boolean wasPending = false;
    for (ChainInput p : pending.get()) {
      if (p.eventId().equals(in.eventId())) {
        wasPending = true;
      } else {
        kept.add(p);
      }
    }
    pending.update(kept);
    Attribution done = emitted.retractable(in.id(), in.blockHash());
    if (!wasPending && done != null) {
      out.collect(done.retracted()); // the inference's block left the chain: retract its result
      emitted.remove(in.id());
      metrics.retracted.inc();
    }
  }

  /**
   * Every event up to {@code block} is applied: its inferences join the sealed queue, which is
   * scored at once when full, else by its deadline, or before an event that could change it.
   */
  private void seal(long block, Context ctx, Collector<Attribution> out) throws Exception {
    List<ChainInput> ready = new ArrayList<>();
    List<ChainInput> later = new ArrayList<>();
    for (ChainInput p : pending.get()) {
      (p.block() <= block ? ready : later).add(p);
    }
    pending.update(later);
    if (!ready.isEmpty()) {
      long now = System.currentTimeMillis();
      if (firstPendingAt >= 0) {
        metrics.sealWaitMs.update(now - firstPendingAt);
      }
      firstPendingAt = later.isEmpty() ? -1 : now;
      if (firstQueuedAt < 0) {
        firstQueuedAt = now;
      }
      ready.sort(
          Comparator.comparingLong(ChainInput::block).thenComparingInt(ChainInput::logIndex));
      if (queue.add(ready, ctx.timerService())) {
        flush(SealedQueue.Reason.FULL, ctx, out);
      }
      metrics.queued = queue.size();
    }
    emitted.sealed(block);
  }

  /** The queue's deadline (processing time), or the end of a bounded input (event time). */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Attribution> out)
      throws Exception {
    boolean end = ctx.timeDomain() == TimeDomain.EVENT_TIME;
    if (end ? timestamp != SealedQueue.END_OF_INPUT : !queue.isDeadline(timestamp)) {
      return;
    }
    core.ensureSeeded(); // a restored deadline may fire before any record arrives
    flush(end ? SealedQueue.Reason.END_OF_INPUT : SealedQueue.Reason.DEADLINE, ctx, out);
  }

  /** Scores every queued inference, emits the results in seal order and keeps them to retract. */
  private void flush(SealedQueue.Reason reason, Context ctx, Collector<Attribution> out)
      throws Exception {
    List<List<ChainInput>> segments = queue.drain(ctx.timerService());
    metrics.queued = 0;
    if (segments.isEmpty()) {
      return;
    }
    long started = System.currentTimeMillis();
    if (firstQueuedAt >= 0) {
      metrics.queueWaitMs.update(started - firstQueuedAt);
      firstQueuedAt = -1;
    }
    List<Attribution> results = core.attribute(segments, output(ctx));
    metrics.flushed(reason, results.size());
    for (Attribution a : results) {
      out.collect(a);
      emitted.put(a);
    }
    metrics.flushMs.update(System.currentTimeMillis() - started);
  }
}
