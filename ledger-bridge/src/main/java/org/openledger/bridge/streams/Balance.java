package org.openledger.bridge.streams;

import java.math.BigInteger;

/**
 * What one account has earned, in wei: accrued by the payment job, settled on chain, and the
 * difference still pending; and, as a contributor, the stake slashed from it and the stake frozen
 * by flags governance has not decided yet. Stored as {@code "accrued,settled,slashed,flagged"}
 * decimal text: exact, any size (a store written before flags holds the first two only).
 */
public record Balance(
    BigInteger accrued, BigInteger settled, BigInteger slashedStake, BigInteger flaggedStake) {

  public static final Balance ZERO =
      new Balance(BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO);

  public Balance(BigInteger accrued, BigInteger settled) {
    this(accrued, settled, BigInteger.ZERO, BigInteger.ZERO);
  }

  public BigInteger pending() {
    return accrued.subtract(settled);
  }

  public Balance plus(BigInteger accruedDelta, BigInteger settledDelta) {
    return new Balance(
        accrued.add(accruedDelta), settled.add(settledDelta), slashedStake, flaggedStake);
  }

  /** This balance with stake slashed from, or frozen by flags on, the account's contributions. */
  public Balance stake(BigInteger slashedDelta, BigInteger flaggedDelta) {
    return new Balance(
        accrued, settled, slashedStake.add(slashedDelta), flaggedStake.add(flaggedDelta));
  }

  String encode() {
    return accrued + "," + settled + "," + slashedStake + "," + flaggedStake;
  }

  static Balance decode(String stored) {
    if (stored == null) {
      return ZERO;
    }
    String[] parts = stored.split(",");
    BigInteger accrued = new BigInteger(parts[0]);
    BigInteger settled = new BigInteger(parts[1]);
    return parts.length < 4
        ? new Balance(accrued, settled)
        : new Balance(accrued, settled, new BigInteger(parts[2]), new BigInteger(parts[3]));
  }
}
