package org.openledger.flink.attribution;

import java.io.Serializable;
import java.util.List;
import java.util.Set;
import org.openledger.flink.sidecar.IndexMatch;
import org.openledger.flink.sidecar.IndexRow;
import org.openledger.flink.sidecar.ScoreMethod;
import org.openledger.flink.sidecar.ScoreQuery;
import org.openledger.flink.sidecar.ScoreResult;

/**
 * What the attribution operator asks of the sidecar, in the encoders this pipeline runs. The
 * operator owns the truth and the sidecar only a rebuildable copy: {@code reset}, re-index, {@code
 * ready}.
 */
public interface SidecarGateway extends AutoCloseable {

  /** Makes one gateway per operator instance, on the task manager. */
  interface Factory extends Serializable {
    SidecarGateway open();
  }

  /**
   * The default encoder: every contribution is indexed in it (duplicates are found there), and a
   * model that names no encoder is scored with it.
   */
  String encoderId();

  /**
   * The encoders a model may name ({@code attribution.encoders}, the default among them): each
   * costs the sidecar an index of every Datanet such a model reads, so only those the operators
   * enabled are run.
   */
  Set<String> encoders();

  void reset();

  List<IndexMatch> index(long datanetId, String encoder, boolean matches, List<IndexRow> rows);

  void close(long datanetId, long contributionId, long atBlock);

  void reopen(long datanetId, long contributionId);

  void registerModel(long modelId, List<Long> datanetIds, String encoder);

  void ready();

  /** Top-k per query by {@code method}; the result names the encoder (or method) that scored. */
  ScoreResult score(
      long modelId, int k, double threshold, ScoreMethod method, List<ScoreQuery> queries);

  @Override
  void close();
}
