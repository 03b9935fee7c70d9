package org.openledger.flink.sidecar;

/**
 * How the sidecar scores a call's queries: the embedding index of the model's encoder, or span
 * matching of the query text (Infini-gram style; its score is the share of the query's tokens
 * inside spans the contribution holds). Sent as the score command's {@code method}.
 */
public enum ScoreMethod {
  EMBEDDING("embedding"),
  SPAN("span");

  private final String wire;

  ScoreMethod(String wire) {
    this.wire = wire;
  }

  /** The name the sidecar's score command takes. */
  public String wire() {
    return wire;
  }

  /**
   * The method for a model's {@code ModelRegistry.AttributionMethod} (by name): {@code SPAN} is
   * span matched; {@code EMBEDDING}, {@code PRECOMPUTED} and an unknown or missing name use the
   * embedding index, as every model did before methods were told apart.
   */
  public static ScoreMethod forModel(String attributionMethod) {
    return "SPAN".equals(attributionMethod) ? SPAN : EMBEDDING;
  }
}
