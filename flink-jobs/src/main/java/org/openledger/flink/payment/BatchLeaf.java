package org.openledger.flink.payment;

import org.openledger.flink.domain.PayoutLeaf;

/** One leaf of one batch, as written to {@code payout.batch-leaves} for proofs. */
public record BatchLeaf(String batchId, PayoutLeaf leaf) {}
