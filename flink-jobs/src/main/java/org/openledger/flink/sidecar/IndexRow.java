package org.openledger.flink.sidecar;

/**
 * One contribution to index: its active interval and either text for the encoder or a precomputed
 * vector. {@code activeTo} is null while open (re-seeding sends closed intervals).
 */
public record IndexRow(
    long contributionId, long activeFrom, Long activeTo, String text, float[] vector) {

  public IndexRow {
    if ((text == null) == (vector == null)) {
      throw new IllegalArgumentException(
          "contribution " + contributionId + ": give either text or a vector");
    }
  }

  public static IndexRow text(long contributionId, long activeFrom, String text) {
    return new IndexRow(contributionId, activeFrom, null, text, null);
  }

  public static IndexRow vector(long contributionId, long activeFrom, float[] vector) {
    return new IndexRow(contributionId, activeFrom, null, null, vector);
  }

  /** The same row with its interval closed at {@code block} (exclusive). */
  public IndexRow closedAt(long block) {
    return new IndexRow(contributionId, activeFrom, block, text, vector);
  }
}
