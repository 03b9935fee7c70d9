package org.openledger.flink.payment;

import org.openledger.flink.domain.PayoutLeaf;

/**
 * What one payee earned from one inference (becomes a {@code PayoutAccrual}): the Merkle leaf,
 * where the inference was paid, and the params version that split it. {@code removed} retracts it.
 */
public record Accrual(
    PayoutLeaf leaf, Position position, long modelId, long paramsVersion, boolean removed) {

  public Accrual retracted() {
    return new Accrual(leaf, position, modelId, paramsVersion, true);
  }
}
