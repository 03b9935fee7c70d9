package org.openledger.bridge.streams;

import java.math.BigInteger;

/**
 * A model's usage and revenue as the balances API shows it: paid inferences, fees paid (wei) and
 * what its owner has accrued from them (wei), as decimal strings so any amount stays exact.
 */
public record ModelView(long modelId, long inferences, String feesPaidWei, String ownerAccruedWei) {

  static ModelView empty(long modelId) {
    return new ModelView(modelId, 0, "0", "0");
  }

  ModelView paid(int sign, BigInteger fee) {
    return new ModelView(
        modelId,
        inferences + sign,
        new BigInteger(feesPaidWei).add(fee.multiply(BigInteger.valueOf(sign))).toString(),
        ownerAccruedWei);
  }

  ModelView ownerAccrued(int sign, BigInteger amount) {
    return new ModelView(
        modelId,
        inferences,
        feesPaidWei,
        new BigInteger(ownerAccruedWei).add(amount.multiply(BigInteger.valueOf(sign))).toString());
  }

  String encode() {
    return inferences + "," + feesPaidWei + "," + ownerAccruedWei;
  }

  static ModelView decode(long modelId, String stored) {
    if (stored == null) {
      return empty(modelId);
    }
    String[] p = stored.split(",");
    return new ModelView(modelId, Long.parseLong(p[0]), p[1], p[2]);
  }
}
