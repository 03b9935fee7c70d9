package org.openledger.flink.operators;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
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
import org.openledger.flink.domain.ContentQuality;
import org.openledger.flink.domain.Lifecycle;
import org.openledger.flink.domain.Params;
import org.openledger.flink.domain.ParamsHistory;
import org.openledger.flink.domain.Shares;
import org.openledger.flink.sidecar.IndexMatch;
import org.openledger.flink.sidecar.IndexRow;
import org.openledger.flink.sidecar.SidecarException;

/**
 * The attribution job's sequencer: applies {@code chain.events} in chain order (one key: the chain)
 * and attributes each inference once its block is sealed, i.e. once every event of that block has
 * been applied. Contributions, models and params live in Flink state (the truth); the sidecar holds
 * a copy that is reset and re-seeded from it whenever this operator starts or the sidecar restarts.
 * Results are emitted in (block, log index) order, so a replay of the log gives the same results in
 * the same order. Sealed inferences wait in a {@link SealedQueue} so that many seals share one
 * sidecar call; the results are the same, in the same order, as scoring each seal on arrival.
 */
public final class AttributionOperator extends KeyedProcessFunction<Long, ChainInput, Attribution> {

  public static final OutputTag<Rejection> REJECTED = new OutputTag<>("rejected") {};
  public static final OutputTag<Duplicate> DUPLICATES = new OutputTag<>("duplicates") {};

  private final SidecarGateway.Factory sidecars;
  private final long retractWindowBlocks;
  private final AttributionJob.Batching batching;
  private transient SidecarGateway sidecar;
  private transient boolean seeded;
  private transient Long followedChain;
  private transient MapState<Long, Contribution> contributions;
  private transient MapState<Long, Model> models;
  private transient ListState<Params> params;
  private transient ListState<ChainInput> pending;
  private transient EmittedResults emitted;
  private transient SealedQueue queue;
  private transient MapState<Long, Duplicate> duplicates;
  private transient AttributionMetrics metrics;
  private transient Scorer scorer;
  private transient ParamsHistory<Params> history; // params state as a history; null: rebuild

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
    contributions =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("contributions", Long.class, Contribution.class));
    models =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("models", Long.class, Model.class));
    params = getRuntimeContext().getListState(new ListStateDescriptor<>("params", Params.class));
    pending =
        getRuntimeContext().getListState(new ListStateDescriptor<>("pending", ChainInput.class));
    emitted = new EmittedResults(getRuntimeContext(), retractWindowBlocks);
    queue = new SealedQueue(getRuntimeContext(), batching);
    duplicates =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("duplicates", Long.class, Duplicate.class));
    metrics = new AttributionMetrics(getRuntimeContext().getMetricGroup());
    history = null;
    sidecar = sidecars.open();
    scorer = new Scorer(sidecar, metrics);
    seeded = false; // whatever the sidecar holds now, it is rebuilt from this state first
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
    if (!seeded) {
      reseed();
    }
    if (queue.affectedBy(in)) {
      flush(SealedQueue.Reason.EVENT, ctx, out);
    }
    switch (in.kind()) {
      case CONTRIBUTION -> contribution(in, ctx);
      case REVIEW -> closer(in, !in.accepted());
      case SLASH, WITHDRAW -> closer(in, true);
      case MODEL -> model(in);
      case PARAMS -> params(in, ctx);
      case INFERENCE -> inference(in, out);
      case SEAL -> seal(in.block(), ctx, out);
      case OTHER -> {}
    }
  }

  private void contribution(ChainInput in, Context ctx) throws Exception {
    Contribution known = contributions.get(in.id());
    if (in.removed()) {
      if (known != null && known.eventId().equals(in.eventId())) {
        if (known.content() != null) {
          // An empty interval: never active; the id may be indexed again on the new branch.
          onSidecar(() -> sidecar.close(known.datanetId(), known.id(), known.fromBlock()));
        }
        contributions.remove(in.id());
        Duplicate flagged = duplicates.get(in.id());
        if (flagged != null) {
          ctx.output(DUPLICATES, flagged.retracted()); // withdraw the slash proposal
          duplicates.remove(in.id());
        }
      }
      return;
    }
    Contribution c = Contribution.of(in);
    if (in.failure() != null) {
      ctx.output(REJECTED, Rejection.of("content-fetch", in.failure(), in));
      metrics.rejectedContent.inc();
      contributions.put(c.id(), c); // kept unindexed: it never earns
      return;
    }
    Optional<ContentQuality.Verdict> poor = ContentQuality.assess(c.content());
    if (poor.isPresent()) {
      lowQuality(in, c, poor.get(), ctx);
      return;
    }
    Contribution indexed = c;
    IndexMatch answer =
        onSidecar(
            () ->
                sidecar
                    .index(
                        indexed.datanetId(),
                        true,
                        List.of(
                            IndexRow.text(indexed.id(), indexed.fromBlock(), indexed.content())))
                    .get(0));
    contributions.put(c.id(), c); // in state as soon as the sidecar holds it (re-seeds see it)
    Optional<Params> rules = history().at(c.fromBlock());
    if (answer.bestMatch().isPresent()
        && rules.isPresent()
        && Lifecycle.isDuplicate(
            answer.bestMatch().get().score(), rules.get().duplicateBoundPpm())) {
      c = c.flaggedDuplicate();
      contributions.put(c.id(), c);
      Contribution duplicate = c;
      onSidecar(() -> sidecar.close(duplicate.datanetId(), duplicate.id(), duplicate.fromBlock()));
      metrics.duplicates.inc();
      Duplicate flagged =
          new Duplicate(
              in.chainId(),
              in.block(),
              in.blockHash(),
              in.blockTimestamp(),
              in.txHash(),
              in.logIndex(),
              false,
              c.id(),
              c.datanetId(),
              c.contributor(),
              answer.bestMatch().get().contributionId(),
              Shares.ppm(answer.bestMatch().get().score()),
              rules.get().duplicateBoundPpm(),
              rules.get().version(),
              sidecar.encoderId(),
              Duplicate.DUPLICATE,
              "");
      duplicates.put(c.id(), flagged);
      ctx.output(DUPLICATES, flagged);
    }
    contributions.put(c.id(), c);
  }

  /**
   * Low-quality content (ContentQuality): kept without its text, so it is never indexed and never
   * earns, and proposed for a slash like a duplicate (withdrawn the same way on reorg).
   */
  private void lowQuality(ChainInput in, Contribution c, ContentQuality.Verdict poor, Context ctx)
      throws Exception {
    contributions.put(c.id(), c.withoutContent());
    metrics.lowQuality.inc();
    Duplicate flagged =
        new Duplicate(
            in.chainId(),
            in.block(),
            in.blockHash(),
            in.blockTimestamp(),
            in.txHash(),
            in.logIndex(),
            false,
            c.id(),
            c.datanetId(),
            c.contributor(),
            0,
            0,
            0,
            history().at(c.fromBlock()).map(Params::version).orElse(0L),
            "",
            Duplicate.LOW_QUALITY,
            poor.rule() + " " + poor.detail());
    duplicates.put(c.id(), flagged);
    ctx.output(DUPLICATES, flagged);
  }

  /**
   * A review, slash or withdrawal: closes the contribution's interval, or reopens on retraction.
   */
  private void closer(ChainInput in, boolean closes) throws Exception {
    Contribution c = contributions.get(in.id());
    if (c == null || !closes) {
      return;
    }
    Contribution next =
        in.removed() ? c.withoutCloser(in.eventId()) : c.withCloser(in.eventId(), in.block());
    contributions.put(c.id(), next);
    if (next.content() == null || next.duplicate()) {
      return;
    }
    if (next.closedAt() < 0) {
      onSidecar(() -> sidecar.reopen(next.datanetId(), next.id()));
    } else {
      onSidecar(() -> sidecar.close(next.datanetId(), next.id(), next.closedAt()));
    }
  }

  private void model(ChainInput in) throws Exception {
    if (in.removed()) {
      Model known = models.get(in.id());
      if (known != null && known.eventId().equals(in.eventId())) {
        models.remove(in.id());
      }
      return;
    }
    Model m = new Model(in.id(), in.address(), in.datanetIds(), in.eventId(), in.method());
    models.put(m.id(), m);
    onSidecar(() -> sidecar.registerModel(m.id(), SidecarSeed.datanets(m)));
  }

  /**
   * A params version applies from its block on, share rule included, so a governance change never
   * reaches an inference paid before it, and a replay applies it at the same block.
   */
  private void params(ChainInput in, Context ctx) throws Exception {
    if (!in.removed() && in.shareRule() == null) {
      // Only a record the decoder did not write names a rule this build lacks: the version in
      // force before stays in force, and the operators hear why.
      ctx.output(REJECTED, Rejection.of("attribution", "params: " + in.failure(), in));
      return;
    }
    ParamsHistory<Params> history = history();
    history =
        in.removed()
            ? history.without(in.eventId())
            : history.with(
                new Params(
                    in.id(),
                    in.block(),
                    in.eventId(),
                    in.topK(),
                    in.thresholdPpm(),
                    in.duplicateBoundPpm(),
                    in.shareRule()));
    params.update(history.versions());
    this.history = history;
  }

  private void inference(ChainInput in, Collector<Attribution> out) throws Exception {
    if (!in.removed()) {
      pending.add(in);
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
    if (!seeded) {
      reseed(); // a restored deadline may fire before any record arrives
    }
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
    List<Attribution> results =
        scorer.attribute(
            segments, history(), this::modelOf, this::contributorOf, this::reseedUnchecked, ctx);
    metrics.flushed(reason, results.size());
    for (Attribution a : results) {
      out.collect(a);
      emitted.put(a);
    }
  }

  private Model modelOf(long id) {
    try {
      return models.get(id);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String contributorOf(long contributionId) {
    try {
      Contribution c = contributions.get(contributionId);
      return c == null ? "" : c.contributor();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The params history, rebuilt from state only after a (re)start: params() keeps it current. */
  private ParamsHistory<Params> history() throws Exception {
    if (history == null) {
      List<Params> all = new ArrayList<>();
      params.get().forEach(all::add);
      history = new ParamsHistory<>(all);
    }
    return history;
  }

  /**
   * Runs a sidecar call; a sidecar found not ready (it restarted and lost its copy) is re-seeded
   * from state and the call made again. State is updated before the call, so the re-seed already
   * reflects it and the repeated call is harmless.
   */
  private <T> T onSidecar(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (SidecarException.NotReady e) {
      reseedUnchecked();
      return call.get();
    }
  }

  private void onSidecar(Runnable call) {
    onSidecar(
        () -> {
          call.run();
          return null;
        });
  }

  private void reseedUnchecked() {
    try {
      reseed();
    } catch (Exception e) {
      throw new IllegalStateException("re-seeding the sidecar failed", e);
    }
  }

  /** Rebuilds the sidecar's copy from state: every indexed contribution, every model; ready. */
  private void reseed() throws Exception {
    SidecarSeed.reseed(sidecar, contributions.values(), models.values());
    seeded = true;
    metrics.reseeds.inc();
  }
}
