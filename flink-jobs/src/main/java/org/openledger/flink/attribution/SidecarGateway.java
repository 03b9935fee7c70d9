package org.openledger.flink.attribution;

import java.io.Serializable;
import java.util.List;
import org.openledger.flink.sidecar.IndexMatch;
import org.openledger.flink.sidecar.IndexRow;
import org.openledger.flink.sidecar.ScoreMethod;
import org.openledger.flink.sidecar.ScoreQuery;
import org.openledger.flink.sidecar.ScoreResult;

/**
 * What the attribution operator asks of the sidecar, in one encoder's space. The operator owns the
 * truth and the sidecar only a rebuildable copy: {@code reset}, re-index, {@code ready}.
 */
public interface SidecarGateway extends AutoCloseable {

  /** Makes one gateway per operator instance, on the task manager. */
  interface Factory extends Serializable {
    SidecarGateway open();
  }

  String encoderId();

  void reset();

  List<IndexMatch> index(long datanetId, boolean matches, List<IndexRow> rows);

  void close(long datanetId, long contributionId, long atBlock);

  void reopen(long datanetId, long contributionId);

  void registerModel(long modelId, List<Long> datanetIds);

  void ready();

  /** Top-k per query by {@code method}; the result names the encoder (or method) that scored. */
  ScoreResult score(
      long modelId, int k, double threshold, ScoreMethod method, List<ScoreQuery> queries);

  @Override
  void close();
}
