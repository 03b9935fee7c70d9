package org.openledger.flink.verify;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.pipeline.PayoutBatchLeaf;
import org.openledger.schemas.Topics;

/**
 * Leaves and accruals read whole from {@code payout.batch-leaves} and {@code payout.accruals}
 * (read_committed): what {@code verify --from kafka} uses, and only as good as the topics'
 * retention. Accruals are folded as the loader folds them: the last record of an accrual in a block
 * wins, and a retraction ({@code removed}) drops it.
 */
final class KafkaLeafSource implements LeafSource {

  private final String bootstrap;
  private final URI registry;
  private final String prefix;
  private Map<String, List<PayoutBatchLeaf>> leaves;

  KafkaLeafSource(String bootstrap, URI registry, String prefix) {
    this.bootstrap = bootstrap;
    this.registry = registry;
    this.prefix = prefix;
  }

  @Override
  public Map<String, List<PayoutBatchLeaf>> batchesOfPayee(String payee, String onlyBatch) {
    return batchesWith(l -> l.getPayee().equals(payee), onlyBatch);
  }

  @Override
  public Map<String, List<PayoutBatchLeaf>> batchesOfInference(long inferenceId) {
    return batchesWith(l -> l.getInferenceId() == inferenceId, null);
  }

  @Override
  public List<PayoutLeaf> accruals(long inferenceId) {
    Map<List<Object>, PayoutAccrual> live = new LinkedHashMap<>();
    for (PayoutAccrual a :
        TopicReader.all(
            bootstrap,
            registry,
            Topics.PAYOUT_ACCRUALS.withName(prefix + Topics.PAYOUT_ACCRUALS.name()),
            PayoutAccrual.class)) {
      if (a.getInferenceId() != inferenceId) {
        continue;
      }
      List<Object> key =
          List.of(
              a.getRole().name(),
              contribution(a),
              a.getUnattributed(),
              a.getPayee(),
              a.getPosition().getBlockHash());
      if (a.getRemoved()) {
        live.remove(key);
      } else {
        live.put(key, a);
      }
    }
    List<PayoutLeaf> out = new ArrayList<>();
    for (PayoutAccrual a : live.values()) {
      out.add(
          new PayoutLeaf(
              a.getPayee(),
              a.getInferenceId(),
              PayoutLeaf.PayeeRole.valueOf(a.getRole().name()),
              contribution(a),
              a.getUnattributed(),
              a.getAmount().toBigIntegerExact()));
    }
    return out;
  }

  private static long contribution(PayoutAccrual a) {
    return a.getContributionId() == null ? 0 : a.getContributionId();
  }

  private Map<String, List<PayoutBatchLeaf>> batchesWith(
      Predicate<PayoutBatchLeaf> own, String onlyBatch) {
    if (leaves == null) {
      leaves = VerifyApp.leaves(bootstrap, registry, prefix + Topics.PAYOUT_BATCH_LEAVES.name());
    }
    Map<String, List<PayoutBatchLeaf>> out = new LinkedHashMap<>();
    leaves.forEach(
        (batch, all) -> {
          if ((onlyBatch == null || onlyBatch.equals(batch)) && all.stream().anyMatch(own)) {
            out.put(batch, all);
          }
        });
    return out;
  }
}
