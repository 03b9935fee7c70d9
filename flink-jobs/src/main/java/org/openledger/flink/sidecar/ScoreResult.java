package org.openledger.flink.sidecar;

import java.util.List;
import java.util.Map;

/**
 * Top-k per inference of one score call, best first (score desc, contribution id asc), with the
 * encoder that produced the scores. Every query of the call has an entry, empty when nothing active
 * scored above the threshold.
 */
public record ScoreResult(Encoder encoder, Map<Long, List<ScoredContribution>> byInference) {

  public List<ScoredContribution> of(long inferenceId) {
    List<ScoredContribution> found = byInference.get(inferenceId);
    if (found == null) {
      throw new IllegalArgumentException("inference " + inferenceId + " was not in this call");
    }
    return found;
  }
}
