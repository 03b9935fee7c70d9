package org.openledger.flink.verify;

import java.util.List;
import java.util.Map;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.pipeline.PayoutBatchLeaf;

/**
 * Where {@code verify} gets the leaves of a batch and the accruals of an inference: ClickHouse
 * (kept for as long as the tables are) or the Kafka topics (while retention keeps them). It only
 * supplies them: every leaf is proven against the root the chain recorded, so a wrong or missing
 * leaf shows as a failed check, never as a pass.
 */
interface LeafSource extends AutoCloseable {

  /**
   * Every leaf of each batch that has a leaf of {@code payee}, by batch id; only batch {@code
   * onlyBatch} when not null.
   */
  Map<String, List<PayoutBatchLeaf>> batchesOfPayee(String payee, String onlyBatch)
      throws Exception;

  /** Every leaf of each batch that has a leaf of inference {@code inferenceId}, by batch id. */
  Map<String, List<PayoutBatchLeaf>> batchesOfInference(long inferenceId) throws Exception;

  /**
   * The live accruals of inference {@code inferenceId} (retracted ones left out), as the leaves
   * they become.
   */
  List<PayoutLeaf> accruals(long inferenceId) throws Exception;

  @Override
  default void close() throws Exception {}
}
