package org.openledger.flink.sidecar;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** Reads the sidecar's answer batches into plain records, copying out of Arrow buffers. */
final class ArrowResults {

  private ArrowResults() {}

  static List<IndexMatch> indexMatches(VectorSchemaRoot root) {
    BigIntVector ids = (BigIntVector) root.getVector("contribution_id");
    BigIntVector matchIds = (BigIntVector) root.getVector("match_id");
    Float4Vector scores = (Float4Vector) root.getVector("match_score");
    List<IndexMatch> out = new ArrayList<>(root.getRowCount());
    for (int i = 0; i < root.getRowCount(); i++) {
      Optional<ScoredContribution> best =
          matchIds.isNull(i)
              ? Optional.empty()
              : Optional.of(new ScoredContribution(matchIds.get(i), scores.get(i)));
      out.add(new IndexMatch(ids.get(i), best));
    }
    return out;
  }

  /** Gathers score batches: rows arrive ranked per inference; queries without rows stay empty. */
  static final class ScoreCollector {
    private final Map<Long, List<ScoredContribution>> byInference = new LinkedHashMap<>();
    private Encoder encoder = new Encoder("", "", "");

    ScoreCollector(List<ScoreQuery> queries) {
      queries.forEach(q -> byInference.put(q.inferenceId(), new ArrayList<>()));
    }

    void add(Schema schema, VectorSchemaRoot root) {
      Map<String, String> meta = schema.getCustomMetadata();
      encoder =
          new Encoder(
              meta.getOrDefault("encoder_id", ""),
              meta.getOrDefault("encoder_version", ""),
              meta.getOrDefault("backend", ""));
      BigIntVector inferences = (BigIntVector) root.getVector("inference_id");
      BigIntVector contributions = (BigIntVector) root.getVector("contribution_id");
      Float4Vector scores = (Float4Vector) root.getVector("score");
      for (int i = 0; i < root.getRowCount(); i++) {
        byInference
            .computeIfAbsent(inferences.get(i), id -> new ArrayList<>())
            .add(new ScoredContribution(contributions.get(i), scores.get(i)));
      }
    }

    ScoreResult result() {
      Map<Long, List<ScoredContribution>> frozen = new LinkedHashMap<>();
      byInference.forEach((id, list) -> frozen.put(id, List.copyOf(list)));
      return new ScoreResult(encoder, Collections.unmodifiableMap(frozen));
    }
  }
}
