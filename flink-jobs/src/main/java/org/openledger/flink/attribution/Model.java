package org.openledger.flink.attribution;

/**
 * A registered model: the Datanets its inferences are attributed to, and how (its {@code
 * ModelRegistry.AttributionMethod} by name; null in state written before methods were kept reads as
 * {@code EMBEDDING}).
 */
public record Model(long id, String owner, long[] datanetIds, String eventId, String method) {

  /** Whether the model's inferences are scored by span matching instead of the embedding index. */
  public boolean spanMatched() {
    return "SPAN".equals(method);
  }
}
