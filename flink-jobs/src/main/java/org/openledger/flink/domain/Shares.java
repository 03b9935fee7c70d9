package org.openledger.flink.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the sidecar's ranked scores into exact shares. A score becomes integer parts per million
 * (rounded half up from its float value, so the same float always gives the same integer); the
 * weight of a contribution is that integer, and its share of the pool is weight / sum of weights:
 * an exact fraction the payment job splits to the wei. Scores that round to zero earn nothing.
 */
public final class Shares {

  /** A contribution the sidecar ranked, with who contributed it. */
  public record Scored(long contributionId, String contributor, float score) {}

  /** A contribution's part in one inference's attribution. */
  public record Attributed(
      long contributionId, String contributor, int rank, long scorePpm, long weight) {}

  private Shares() {}

  public static long ppm(float score) {
    return Math.round(score * 1_000_000.0);
  }

  /** The attributed contributions in the sidecar's order (score desc, id asc), ranks from 1. */
  public static List<Attributed> attribute(List<Scored> ranked) {
    List<Attributed> out = new ArrayList<>();
    for (Scored s : ranked) {
      long ppm = ppm(s.score());
      if (ppm > 0) {
        out.add(new Attributed(s.contributionId(), s.contributor(), out.size() + 1, ppm, ppm));
      }
    }
    return out;
  }
}
