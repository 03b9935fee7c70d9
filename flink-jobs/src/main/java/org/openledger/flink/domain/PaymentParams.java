package org.openledger.flink.domain;

import java.math.BigInteger;

/**
 * The payment parameters of one governance version, in force from {@code effectiveBlock}: how a fee
 * splits, the smallest amount worth a transfer, the settlement window and the most payees one
 * settlement transaction takes.
 */
public record PaymentParams(
    long version,
    long effectiveBlock,
    String eventId,
    FeeSplit.Bps bps,
    BigInteger minPayout,
    long windowBlocks,
    int maxPayeesPerBatch)
    implements ParamsHistory.Versioned {

  public PaymentParams {
    if (windowBlocks <= 0 || maxPayeesPerBatch <= 0 || minPayout.signum() < 0) {
      throw new IllegalArgumentException(
          "window, max payees must be positive and min payout non-negative: " + this);
    }
  }
}
