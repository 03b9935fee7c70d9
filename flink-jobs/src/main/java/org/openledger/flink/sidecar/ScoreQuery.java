package org.openledger.flink.sidecar;

/** One inference's query: scored against the contributions active at its block. */
public record ScoreQuery(long inferenceId, long block, String text, float[] vector) {

  public ScoreQuery {
    if ((text == null) == (vector == null)) {
      throw new IllegalArgumentException(
          "inference " + inferenceId + ": give either text or a vector");
    }
  }

  public static ScoreQuery text(long inferenceId, long block, String text) {
    return new ScoreQuery(inferenceId, block, text, null);
  }

  public static ScoreQuery vector(long inferenceId, long block, float[] vector) {
    return new ScoreQuery(inferenceId, block, null, vector);
  }
}
