package org.openledger.bridge.streams;

import java.math.BigInteger;

/**
 * What one payee has earned, in wei: accrued by the payment job, settled on chain, and the
 * difference still pending. Stored as {@code "accrued,settled"} decimal text: exact, any size.
 */
public record Balance(BigInteger accrued, BigInteger settled) {

  public static final Balance ZERO = new Balance(BigInteger.ZERO, BigInteger.ZERO);

  public BigInteger pending() {
    return accrued.subtract(settled);
  }

  public Balance plus(BigInteger accruedDelta, BigInteger settledDelta) {
    return new Balance(accrued.add(accruedDelta), settled.add(settledDelta));
  }

  String encode() {
    return accrued + "," + settled;
  }

  static Balance decode(String stored) {
    if (stored == null) {
      return ZERO;
    }
    int comma = stored.indexOf(',');
    return new Balance(
        new BigInteger(stored.substring(0, comma)), new BigInteger(stored.substring(comma + 1)));
  }
}
