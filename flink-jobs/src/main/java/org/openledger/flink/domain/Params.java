package org.openledger.flink.domain;

/**
 * The attribution parameters of one governance version, in force from {@code effectiveBlock}: how
 * many contributions to rank, from which similarity, when a contribution is a duplicate, and the
 * share rule that weighs the ranked ones. Similarities are parts per million of cosine similarity,
 * so comparisons stay integer.
 */
public record Params(
    long version,
    long effectiveBlock,
    String eventId,
    int topK,
    long thresholdPpm,
    long duplicateBoundPpm,
    ShareRule shareRule)
    implements ParamsHistory.Versioned {

  public Params {
    // State written before params had a share rule restores without one: those versions were
    // LINEAR, the only rule there was.
    shareRule = shareRule == null ? ShareRule.LINEAR : shareRule;
  }

  public double threshold() {
    return thresholdPpm / 1_000_000.0;
  }
}
