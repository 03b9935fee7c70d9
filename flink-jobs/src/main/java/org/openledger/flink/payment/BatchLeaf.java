package org.openledger.flink.payment;

import org.openledger.flink.domain.PayoutLeaf;

/**
 * One leaf of one batch, as written to {@code payout.batch-leaves} for proofs; {@code leafHash} is
 * the leaf's hash (0x hex) as the batch's root was built from it.
 */
public record BatchLeaf(String batchId, PayoutLeaf leaf, String leafHash) {}
