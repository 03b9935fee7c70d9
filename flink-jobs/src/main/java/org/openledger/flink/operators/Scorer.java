package org.openledger.flink.operators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.attribution.Model;
import org.openledger.flink.attribution.Rejection;
import org.openledger.flink.attribution.SidecarGateway;
import org.openledger.flink.domain.Params;
import org.openledger.flink.domain.ParamsHistory;
import org.openledger.flink.domain.Shares;
import org.openledger.flink.sidecar.ScoreMethod;
import org.openledger.flink.sidecar.ScoreQuery;
import org.openledger.flink.sidecar.ScoreResult;
import org.openledger.flink.sidecar.ScoredContribution;
import org.openledger.flink.sidecar.SidecarException;

/**
 * Attributes sealed inferences, one or many seals' worth at a time: one sidecar call per (model,
 * params) group, so the device sees whole batches, each by its model's method (embedding index, or
 * span matching for a {@code SPAN} model; the share rule then applies to either's scores alike). An
 * inference that cannot be scored (unknown model, unusable query, no params) is still answered,
 * unattributed, so its fee is accounted; the reason goes to the dead letters.
 */
final class Scorer {

  /** The most contributions the sidecar ranks per query. */
  static final int MAX_K = 1000;

  /** What span-scored results are tagged with (the sidecar's {@code span_index.METHOD_ID}). */
  static final String SPAN_MATCH = "span-match";

  /** One sidecar call's worth; {@code scoredBy}: the model's encoder, or span-match. */
  private record Group(
      long modelId, ScoreMethod method, String scoredBy, int k, long thresholdPpm) {}

  private final SidecarGateway sidecar;
  private final AttributionCore.Counts counts;

  Scorer(SidecarGateway sidecar, AttributionCore.Counts counts) {
    this.sidecar = sidecar;
    this.counts = counts;
  }

  /**
   * Attributes the inferences of one or more seals ({@code segments}, each in (block, log index)
   * order) with one sidecar call per group over all of them; returns results in segment order.
   * Byte-identical to attributing each segment alone: each query is scored at its own block, a
   * group the sidecar refuses is asked again segment by segment (one refusal answers no more
   * inferences unattributed than a call per seal would), rejections are emitted per segment in that
   * segment's own order, and segments repeating an inference id are never merged (the sidecar
   * answers by id).
   */
  List<Attribution> attribute(
      List<List<ChainInput>> segments,
      ParamsHistory<Params> history,
      LongFunction<Model> models,
      LongFunction<String> contributors,
      Runnable reseed,
      Consumer<Rejection> rejected) {
    List<Attribution> out = new ArrayList<>();
    List<List<ChainInput>> chunk = new ArrayList<>();
    Set<Long> ids = new HashSet<>();
    for (List<ChainInput> segment : segments) {
      if (segment.stream().anyMatch(in -> ids.contains(in.id()))) {
        out.addAll(attributeMerged(chunk, history, models, contributors, reseed, rejected));
        chunk = new ArrayList<>();
        ids.clear();
      }
      chunk.add(segment);
      segment.forEach(in -> ids.add(in.id()));
    }
    out.addAll(attributeMerged(chunk, history, models, contributors, reseed, rejected));
    return out;
  }

  private List<Attribution> attributeMerged(
      List<List<ChainInput>> segments,
      ParamsHistory<Params> history,
      LongFunction<Model> models,
      LongFunction<String> contributors,
      Runnable reseed,
      Consumer<Rejection> rejected) {
    Map<Long, Attribution> byInference = new HashMap<>();
    // Per record, not per id: a log repeating an id in one seal gets what a call per seal gave it.
    Map<ChainInput, Rejection> problems = new IdentityHashMap<>();
    Map<ChainInput, Group> groupOf = new IdentityHashMap<>();
    Map<Group, List<ChainInput>> groups = new LinkedHashMap<>();
    for (List<ChainInput> segment : segments) {
      for (ChainInput in : segment) {
        long modelId = in.datanetId(); // an inference's model id rides in datanetId
        Optional<Params> rules = history.at(in.block());
        Model model = models.apply(modelId);
        String problem =
            in.failure() != null
                ? "query: " + in.failure()
                : model == null
                    ? "unknown model " + modelId + " for inference " + in.id()
                    : SidecarSeed.encoderOf(model, sidecar).isEmpty()
                        ? AttributionCore.notRun(model) + ": inference " + in.id()
                        : rules.isEmpty() ? "no params in force at block " + in.block() : null;
        if (problem != null) {
          problems.put(in, Rejection.of("attribution", problem, in));
          byInference.put(
              in.id(),
              result(
                  in, rules.map(Params::version).orElse(0L), sidecar.encoderId(), "", List.of()));
          continue;
        }
        Params p = rules.get();
        // The sidecar ranks at most MAX_K per query; a larger top-k (the contract allows 65535) is
        // served as MAX_K, whose smallest shares are negligible anyway.
        int k = Math.max(1, Math.min(p.topK(), MAX_K));
        ScoreMethod method = ScoreMethod.forModel(model.method());
        String scoredBy =
            method == ScoreMethod.SPAN
                ? SPAN_MATCH
                : SidecarSeed.encoderOf(model, sidecar).orElseThrow();
        Group g = new Group(modelId, method, scoredBy, k, p.thresholdPpm());
        groupOf.put(in, g);
        groups.computeIfAbsent(g, x -> new ArrayList<>()).add(in);
      }
    }
    Map<ChainInput, String> refusals = new IdentityHashMap<>();
    for (Map.Entry<Group, List<ChainInput>> e : groups.entrySet()) {
      Group g = e.getKey();
      String refused = scoreInto(g, e.getValue(), history, contributors, reseed, byInference);
      if (refused == null) {
        continue;
      }
      // Refused as a whole: each seal's part is asked again, as a call per seal would have been
      // (a part that is the whole group was just refused: asking again would change nothing).
      for (List<ChainInput> segment : segments) {
        List<ChainInput> part = segment.stream().filter(in -> g.equals(groupOf.get(in))).toList();
        String why =
            part.isEmpty() || part.size() == e.getValue().size()
                ? refused
                : scoreInto(g, part, history, contributors, reseed, byInference);
        if (why != null) {
          refuse(g, part, history, byInference, refusals, why);
        }
      }
    }
    // Only now, with every group scored, do side effects happen: a re-seed and retry above
    // never writes a rejection twice.
    List<Attribution> out = new ArrayList<>();
    for (List<ChainInput> segment : segments) {
      emitRejections(segment, problems, groupOf, refusals, rejected);
      for (ChainInput in : segment) {
        Attribution a = byInference.get(in.id());
        counts.scored(!a.unattributed());
        out.add(a);
      }
    }
    return out;
  }

  /**
   * Scores one group's inferences into {@code byInference}; returns null, or why the sidecar
   * refused the call (e.g. a query it cannot encode), then writing nothing.
   */
  private String scoreInto(
      Group g,
      List<ChainInput> inferences,
      ParamsHistory<Params> history,
      LongFunction<String> contributors,
      Runnable reseed,
      Map<Long, Attribution> byInference) {
    // The sidecar answers by query id, the inference id: two events of one id in one call (a
    // redelivered event, a reorg's two branches) would pool their matches into one result, the
    // same contribution twice. Such a repeat is asked in a call of its own.
    Set<Long> distinct = new HashSet<>();
    List<ChainInput> repeats = new ArrayList<>();
    List<ChainInput> once = new ArrayList<>();
    for (ChainInput in : inferences) {
      (distinct.add(in.id()) ? once : repeats).add(in);
    }
    if (!repeats.isEmpty()) {
      String refused = scoreInto(g, once, history, contributors, reseed, byInference);
      return refused != null
          ? refused
          : scoreInto(g, repeats, history, contributors, reseed, byInference);
    }
    List<ScoreQuery> queries = new ArrayList<>();
    inferences.forEach(in -> queries.add(ScoreQuery.text(in.id(), in.block(), in.content())));
    long started = System.nanoTime();
    ScoreResult scored;
    try {
      scored = score(g, queries, reseed);
    } catch (SidecarException.BadRequest refused) {
      return refused.getMessage();
    }
    counts.sidecarCall(queries.size(), (System.nanoTime() - started) / 1_000_000);
    for (ChainInput in : inferences) {
      List<Shares.Scored> ranked = new ArrayList<>();
      for (ScoredContribution s : scored.of(in.id())) {
        ranked.add(
            new Shares.Scored(
                s.contributionId(), contributors.apply(s.contributionId()), s.score()));
      }
      // The share rule of the version in force at the inference's block, as top-k and the
      // threshold: a rule changed by governance applies from its block on, never before.
      Params rules = history.at(in.block()).orElseThrow();
      List<Shares.Attributed> shares =
          Shares.attribute(ranked, rules.shareRule(), rules.thresholdPpm());
      // What scored it: the encoder, or span-match for a span model (as the sidecar named it).
      String encoderId = scored.encoder().id().isEmpty() ? fallbackId(g) : scored.encoder().id();
      byInference.put(
          in.id(), result(in, rules.version(), encoderId, scored.encoder().version(), shares));
    }
    return null;
  }

  /** Answers a refused group's inferences unattributed, so their fees are still accounted. */
  private void refuse(
      Group g,
      List<ChainInput> inferences,
      ParamsHistory<Params> history,
      Map<Long, Attribution> byInference,
      Map<ChainInput, String> refusals,
      String message) {
    for (ChainInput in : inferences) {
      refusals.put(in, message);
      long version = history.at(in.block()).orElseThrow().version();
      byInference.put(in.id(), result(in, version, g.scoredBy(), "", List.of()));
    }
  }

  /**
   * A segment's rejections in the order a call for that segment alone wrote them: unusable
   * inferences in input order, then each refused group's, groups in order of first appearance.
   */
  private static void emitRejections(
      List<ChainInput> segment,
      Map<ChainInput, Rejection> problems,
      Map<ChainInput, Group> groupOf,
      Map<ChainInput, String> refusals,
      Consumer<Rejection> rejected) {
    Map<Group, List<ChainInput>> refused = new LinkedHashMap<>();
    for (ChainInput in : segment) {
      Rejection r = problems.get(in);
      if (r != null) {
        rejected.accept(r);
      } else {
        refused.computeIfAbsent(groupOf.get(in), g -> new ArrayList<>()).add(in);
      }
    }
    for (List<ChainInput> group : refused.values()) {
      for (ChainInput in : group) {
        String why = refusals.get(in);
        if (why != null) {
          rejected.accept(Rejection.of("attribution", "sidecar refused: " + why, in));
        }
      }
    }
  }

  /** Scores one group; a sidecar found not ready (restarted) is re-seeded and asked again. */
  private ScoreResult score(Group g, List<ScoreQuery> queries, Runnable reseed) {
    double threshold = g.thresholdPpm() / 1_000_000.0;
    try {
      return sidecar.score(g.modelId(), g.k(), threshold, g.method(), queries);
    } catch (SidecarException.NotReady e) {
      reseed.run();
      return sidecar.score(g.modelId(), g.k(), threshold, g.method(), queries);
    }
  }

  /** The id recorded when a sidecar names no encoder on its answer. */
  private static String fallbackId(Group g) {
    return g.scoredBy();
  }

  private Attribution result(
      ChainInput in,
      long paramsVersion,
      String encoderId,
      String encoderVersion,
      List<Shares.Attributed> shares) {
    int n = shares.size();
    long[] ids = new long[n];
    String[] who = new String[n];
    int[] ranks = new int[n];
    long[] ppm = new long[n];
    long[] weights = new long[n];
    for (int i = 0; i < n; i++) {
      Shares.Attributed s = shares.get(i);
      ids[i] = s.contributionId();
      who[i] = s.contributor();
      ranks[i] = s.rank();
      ppm[i] = s.scorePpm();
      weights[i] = s.weight();
    }
    return new Attribution(
        in.id(),
        in.chainId(),
        in.block(),
        in.blockHash(),
        in.blockTimestamp(),
        in.txHash(),
        in.logIndex(),
        false,
        in.datanetId(),
        encoderId,
        encoderVersion,
        paramsVersion,
        ids,
        who,
        ranks,
        ppm,
        weights,
        n == 0);
  }
}
