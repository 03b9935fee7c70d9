package org.openledger.flink.domain;

/**
 * The attribution parameters of one governance version, in force from {@code effectiveBlock}.
 * Similarities are parts per million of cosine similarity, so comparisons stay integer.
 */
public record Params(
    long version,
    long effectiveBlock,
    String eventId,
    int topK,
    long thresholdPpm,
    long duplicateBoundPpm)
    implements ParamsHistory.Versioned {

  public double threshold() {
    return thresholdPpm / 1_000_000.0;
  }
}
