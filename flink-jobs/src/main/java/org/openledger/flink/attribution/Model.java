package org.openledger.flink.attribution;

import java.util.Optional;
import java.util.Set;

/**
 * A registered model: the Datanets its inferences are attributed to, and how (its {@code
 * ModelRegistry.AttributionMethod} by name; null in state written before methods were kept reads as
 * {@code EMBEDDING}) and with which encoder (as registered; "" or null, in state written before
 * encoders were kept, is the pipeline's default).
 */
public record Model(
    long id, String owner, long[] datanetIds, String eventId, String method, String encoder) {

  /** Whether the model's inferences are scored by span matching instead of the embedding index. */
  public boolean spanMatched() {
    return "SPAN".equals(method);
  }

  /**
   * The encoder the sidecar scores this model with: its own when the pipeline runs it ({@code
   * enabled}), the default when it names none, nothing when it names one the pipeline does not run
   * (the model is then not attributed). A span-matched model reads text, not vectors: it is kept
   * with the default, whatever it names, so it never costs an index of its own.
   */
  public Optional<String> encoderIn(String defaultEncoder, Set<String> enabled) {
    if (spanMatched() || encoder == null || encoder.isEmpty() || encoder.equals(defaultEncoder)) {
      return Optional.of(defaultEncoder);
    }
    return enabled.contains(encoder) ? Optional.of(encoder) : Optional.empty();
  }
}
