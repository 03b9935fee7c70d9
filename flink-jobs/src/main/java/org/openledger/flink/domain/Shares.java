package org.openledger.flink.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns the sidecar's ranked scores into exact shares. A score becomes integer parts per million
 * (rounded half up from its float value, so the same float always gives the same integer); scores
 * that round to zero or below are dropped. The rest are ranked by ppm desc, then contribution id
 * asc (a fixed tie-break, so the order of the input and float noise below half a ppm change
 * nothing), and the params' {@link ShareRule} gives each its weight. A contribution's share of the
 * pool is weight / sum of weights: an exact fraction the payment job splits to the wei.
 */
public final class Shares {

  /** A contribution the sidecar ranked, with who contributed it. */
  public record Scored(long contributionId, String contributor, float score) {}

  /** A contribution's part in one inference's attribution (weight 0: ranked, but earns nothing). */
  public record Attributed(
      long contributionId, String contributor, int rank, long scorePpm, long weight) {}

  private record Ranked(long contributionId, String contributor, long scorePpm) {}

  private static final Comparator<Ranked> RANK_ORDER =
      Comparator.comparingLong(Ranked::scorePpm)
          .reversed()
          .thenComparingLong(Ranked::contributionId);

  private Shares() {}

  public static long ppm(float score) {
    return Math.round(score * 1_000_000.0);
  }

  /**
   * Every contribution with a positive score in ppm, ranked from 1 (score desc, id asc), weighted
   * by {@code rule}; {@code thresholdPpm} is the similarity threshold of the same params version.
   */
  public static List<Attributed> attribute(List<Scored> scored, ShareRule rule, long thresholdPpm) {
    List<Ranked> ranked = new ArrayList<>(scored.size());
    for (Scored s : scored) {
      long ppm = ppm(s.score());
      if (ppm > 0) {
        ranked.add(new Ranked(s.contributionId(), s.contributor(), ppm));
      }
    }
    ranked.sort(RANK_ORDER);
    long[] ppms = ranked.stream().mapToLong(Ranked::scorePpm).toArray();
    long[] weights = rule.weights(ppms, thresholdPpm);
    List<Attributed> out = new ArrayList<>(ranked.size());
    for (int i = 0; i < ranked.size(); i++) {
      Ranked r = ranked.get(i);
      out.add(new Attributed(r.contributionId(), r.contributor(), i + 1, r.scorePpm(), weights[i]));
    }
    return out;
  }
}
