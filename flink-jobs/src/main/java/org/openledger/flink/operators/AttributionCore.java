package org.openledger.flink.operators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
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
import org.openledger.flink.operators.KeyedState.Bag;
import org.openledger.flink.operators.KeyedState.Table;
import org.openledger.flink.sidecar.IndexMatch;
import org.openledger.flink.sidecar.IndexRow;
import org.openledger.flink.sidecar.SidecarException;

/**
 * The attribution sequencer's rules without Flink: contributions indexed (duplicates flagged),
 * reviews, slashes and withdrawals closing them, models and params versions applied, and sealed
 * inferences scored ({@link Scorer}). Its state (the truth) is keyed state in the job's {@link
 * AttributionOperator}, plain maps in {@code bin/openledger replay}; the sidecar holds a copy that
 * is re-seeded from it whenever it is found empty. The operator keeps only what is Flink's: the
 * sealed queue and its timers, and the results it may still have to retract.
 */
public final class AttributionCore {

  /** What the sequencer keeps for one chain. */
  public record State(
      Table<Long, Contribution> contributions,
      Table<Long, Model> models,
      Bag<Params> params,
      Table<Long, Duplicate> duplicates) {

    /** State in plain maps, for one chain: what replay runs the sequencer over. */
    public static State inMemory() {
      return new State(
          KeyedState.heapTable(),
          KeyedState.heapTable(),
          KeyedState.heapBag(),
          KeyedState.heapTable());
    }
  }

  /** Where dead letters and slash proposals go, in the order the sequencer makes them. */
  public interface Output {
    void rejected(Rejection rejection);

    void duplicate(Duplicate duplicate);
  }

  /** What the operator counts for its metrics; nothing by default. */
  public interface Counts {
    default void contentRejected() {}

    default void duplicateFlagged() {}

    default void lowQualityFlagged() {}

    default void reseeded() {}

    default void scored(boolean attributed) {}

    default void sidecarCall(int queries, long millis) {}
  }

  private final SidecarGateway sidecar;
  private final State state;
  private final Counts counts;
  private final Scorer scorer;
  private boolean seeded; // whatever the sidecar holds at first, it is rebuilt from state
  // Per Datanet, the encoders besides the default the sidecar holds it in since the last re-seed:
  // those its models are scored with. Only grows until the next re-seed (a model removed by a
  // reorg leaves its index behind, harmless), so a Datanet is never indexed twice in one encoder.
  private Map<Long, Set<String>> extraEncoders = new HashMap<>();
  private ParamsHistory<Params> history; // params state as a history; null: rebuild

  public AttributionCore(SidecarGateway sidecar, State state, Counts counts) {
    this.sidecar = sidecar;
    this.state = state;
    this.counts = counts;
    this.scorer = new Scorer(sidecar, counts);
  }

  /** Re-seeds the sidecar from state unless this core already did. */
  public void ensureSeeded() throws Exception {
    if (!seeded) {
      reseed();
    }
  }

  /**
   * Applies one record that changes what later inferences are scored against: a contribution, a
   * review, slash or withdrawal, a model or a params version. Inferences and seals are the caller's
   * (they wait for a seal, then go to {@link #attribute}).
   */
  public void apply(ChainInput in, Output out) throws Exception {
    switch (in.kind()) {
      case CONTRIBUTION -> contribution(in, out);
      case REVIEW -> closer(in, !in.accepted());
      case SLASH, WITHDRAW -> closer(in, true);
      case MODEL -> model(in, out);
      case PARAMS -> params(in, out);
      case INFERENCE, SEAL, OTHER -> {}
    }
  }

  /**
   * Scores sealed inferences ({@code segments}: one per seal, each in (block, log index) order);
   * returns their results in that order, rejections to {@code out}.
   */
  public List<Attribution> attribute(List<List<ChainInput>> segments, Output out) throws Exception {
    return scorer.attribute(
        segments,
        history(),
        this::modelOf,
        this::contributorOf,
        this::reseedUnchecked,
        out::rejected);
  }

  private void contribution(ChainInput in, Output out) throws Exception {
    Contribution known = state.contributions().get(in.id());
    if (in.removed()) {
      if (known != null && known.eventId().equals(in.eventId())) {
        if (known.content() != null) {
          // An empty interval: never active; the id may be indexed again on the new branch.
          onSidecar(() -> sidecar.close(known.datanetId(), known.id(), known.fromBlock()));
        }
        state.contributions().remove(in.id());
        Duplicate flagged = state.duplicates().get(in.id());
        if (flagged != null) {
          out.duplicate(flagged.retracted()); // withdraw the slash proposal
          state.duplicates().remove(in.id());
        }
      }
      return;
    }
    if (known != null && known.eventId().equals(in.eventId())) {
      // A copy of the very event already applied (an upstream app sent back in its input, as the
      // decoder once was): indexing it again would fail in the sidecar on every restart.
      return;
    }
    Contribution c = Contribution.of(in);
    if (in.failure() != null) {
      out.rejected(Rejection.of("content-fetch", in.failure(), in));
      counts.contentRejected();
      state.contributions().put(c.id(), c); // kept unindexed: it never earns
      return;
    }
    Optional<ContentQuality.Verdict> poor = ContentQuality.assess(c.content());
    if (poor.isPresent()) {
      lowQuality(in, c, poor.get(), out);
      return;
    }
    Contribution indexed = c;
    IndexRow row = IndexRow.text(indexed.id(), indexed.fromBlock(), indexed.content());
    // Duplicates are found in the default encoder: its index holds every contribution.
    IndexMatch answer =
        onSidecar(
            () ->
                sidecar.index(indexed.datanetId(), sidecar.encoderId(), true, List.of(row)).get(0));
    state.contributions().put(c.id(), c); // in state as soon as the sidecar holds it
    for (String encoder : extraEncoders.getOrDefault(c.datanetId(), Set.of())) {
      // No retry after a re-seed: it indexed this contribution from state in every encoder.
      onSidecarOnce(() -> sidecar.index(indexed.datanetId(), encoder, false, List.of(row)));
    }
    Optional<Params> rules = history().at(c.fromBlock());
    if (answer.bestMatch().isPresent()
        && rules.isPresent()
        && Lifecycle.isDuplicate(
            answer.bestMatch().get().score(), rules.get().duplicateBoundPpm())) {
      c = c.flaggedDuplicate();
      state.contributions().put(c.id(), c);
      Contribution duplicate = c;
      onSidecar(() -> sidecar.close(duplicate.datanetId(), duplicate.id(), duplicate.fromBlock()));
      counts.duplicateFlagged();
      Duplicate flagged =
          Duplicate.of(
              in,
              c,
              answer.bestMatch().get().contributionId(),
              Shares.ppm(answer.bestMatch().get().score()),
              rules.get().duplicateBoundPpm(),
              rules.get().version(),
              sidecar.encoderId());
      state.duplicates().put(c.id(), flagged);
      out.duplicate(flagged);
    }
    state.contributions().put(c.id(), c);
  }

  /**
   * Low-quality content (ContentQuality): kept without its text, so it is never indexed and never
   * earns, and proposed for a slash like a duplicate (withdrawn the same way on reorg).
   */
  private void lowQuality(ChainInput in, Contribution c, ContentQuality.Verdict poor, Output out)
      throws Exception {
    state.contributions().put(c.id(), c.withoutContent());
    counts.lowQualityFlagged();
    Duplicate flagged =
        Duplicate.lowQuality(
            in,
            c,
            history().at(c.fromBlock()).map(Params::version).orElse(0L),
            poor.rule() + " " + poor.detail());
    state.duplicates().put(c.id(), flagged);
    out.duplicate(flagged);
  }

  /**
   * A review, slash or withdrawal: closes the contribution's interval, or reopens on retraction.
   */
  private void closer(ChainInput in, boolean closes) throws Exception {
    Contribution c = state.contributions().get(in.id());
    if (c == null || !closes) {
      return;
    }
    Contribution next =
        in.removed() ? c.withoutCloser(in.eventId()) : c.withCloser(in.eventId(), in.block());
    state.contributions().put(c.id(), next);
    if (next.content() == null || next.duplicate()) {
      return;
    }
    if (next.closedAt() < 0) {
      onSidecar(() -> sidecar.reopen(next.datanetId(), next.id()));
    } else {
      onSidecar(() -> sidecar.close(next.datanetId(), next.id(), next.closedAt()));
    }
  }

  private void model(ChainInput in, Output out) throws Exception {
    Model known = state.models().get(in.id());
    if (in.removed()) {
      if (known != null && known.eventId().equals(in.eventId())) {
        state.models().remove(in.id());
      }
      return;
    }
    if (known != null && known.eventId().equals(in.eventId())) {
      return; // a copy of the event already applied
    }
    Model m =
        new Model(
            in.id(),
            in.address(),
            in.datanetIds(),
            in.eventId(),
            in.method(),
            in.encoder() == null ? "" : in.encoder());
    state.models().put(m.id(), m);
    Optional<String> encoder = SidecarSeed.encoderOf(m, sidecar);
    if (encoder.isEmpty()) {
      out.rejected(Rejection.of("attribution", notRun(m), in));
      return;
    }
    String e = encoder.get();
    if (!e.equals(sidecar.encoderId())) {
      for (long d : m.datanetIds()) {
        if (extraEncoders.computeIfAbsent(d, x -> new TreeSet<>()).add(e)) {
          // The Datanet's contributions so far, from state, into the model's encoder; a re-seed
          // on the way indexes them itself (the model is in state), so no retry.
          onSidecarOnce(() -> SidecarSeed.backfill(sidecar, d, e, state.contributions().values()));
        }
      }
    }
    onSidecar(() -> sidecar.registerModel(m.id(), SidecarSeed.datanets(m), e));
  }

  /**
   * Why a model's inferences are not attributed: it names an encoder this pipeline does not run.
   */
  static String notRun(Model m) {
    return "model "
        + m.id()
        + " names encoder '"
        + m.encoder()
        + "', which this pipeline does not run (attribution.encoders); its inferences are not"
        + " attributed";
  }

  /**
   * A params version applies from its block on, share rule included, so a governance change never
   * reaches an inference paid before it, and a replay applies it at the same block.
   */
  private void params(ChainInput in, Output out) throws Exception {
    if (!in.removed() && in.shareRule() == null) {
      // Only a record the decoder did not write names a rule this build lacks: the version in
      // force before stays in force, and the operators hear why.
      out.rejected(Rejection.of("attribution", "params: " + in.failure(), in));
      return;
    }
    ParamsHistory<Params> current = history();
    current =
        in.removed()
            ? current.without(in.eventId())
            : current.with(
                new Params(
                    in.id(),
                    in.block(),
                    in.eventId(),
                    in.topK(),
                    in.thresholdPpm(),
                    in.duplicateBoundPpm(),
                    in.shareRule()));
    state.params().update(current.versions());
    this.history = current;
  }

  private Model modelOf(long id) {
    try {
      return state.models().get(id);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String contributorOf(long contributionId) {
    try {
      Contribution c = state.contributions().get(contributionId);
      return c == null ? "" : c.contributor();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The params history, rebuilt from state only after a (re)start: params() keeps it current. */
  private ParamsHistory<Params> history() throws Exception {
    if (history == null) {
      List<Params> all = new ArrayList<>();
      state.params().get().forEach(all::add);
      history = new ParamsHistory<>(all);
    }
    return history;
  }

  /**
   * Runs a sidecar call; a sidecar found not ready (it restarted and lost its copy) is re-seeded
   * from state and the call made again. State is updated before the call, so the re-seed already
   * reflects it and the repeated call is harmless.
   */
  private <T> T onSidecar(Supplier<T> call) {
    try {
      return call.get();
    } catch (SidecarException.NotReady e) {
      reseedUnchecked();
      return call.get();
    }
  }

  /** Runs a sidecar call that a re-seed makes moot: a sidecar found not ready is only re-seeded. */
  private void onSidecarOnce(CheckedRunnable call) throws Exception {
    try {
      call.run();
    } catch (SidecarException.NotReady e) {
      reseedUnchecked();
    }
  }

  private interface CheckedRunnable {
    void run() throws Exception;
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
    extraEncoders =
        new HashMap<>(
            SidecarSeed.reseed(sidecar, state.contributions().values(), state.models().values()));
    seeded = true;
    counts.reseeded();
  }
}
