package org.openledger.flink.domain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Splits an integer amount over integer weights so the parts sum exactly to the amount (Hamilton's
 * largest-remainder method). Each part first gets ⌊amount·w/W⌋; the wei left over (fewer than the
 * number of parts) go one each to the largest remainders, ties to the smaller key. The result does
 * not depend on the order of the inputs, only on their keys and weights.
 */
public final class LargestRemainder {

  /** One part: its tie-break key (unique per split) and its non-negative weight. */
  public record Part(long key, String tieBreak, long weight) {
    public Part {
      if (weight < 0) {
        throw new IllegalArgumentException("negative weight " + weight + " for " + key);
      }
    }
  }

  private LargestRemainder() {}

  /**
   * The amounts, parallel to {@code parts}. Needs a positive total weight.
   *
   * @throws IllegalArgumentException when the weights sum to zero or the amount is negative
   */
  public static List<BigInteger> apportion(BigInteger amount, List<Part> parts) {
    if (amount.signum() < 0) {
      throw new IllegalArgumentException("negative amount " + amount);
    }
    BigInteger total = BigInteger.ZERO;
    for (Part p : parts) {
      total = total.add(BigInteger.valueOf(p.weight()));
    }
    if (total.signum() == 0) {
      throw new IllegalArgumentException("weights sum to zero");
    }
    List<BigInteger> out = new ArrayList<>(parts.size());
    List<BigInteger> remainders = new ArrayList<>(parts.size());
    BigInteger given = BigInteger.ZERO;
    for (Part p : parts) {
      BigInteger[] qr = amount.multiply(BigInteger.valueOf(p.weight())).divideAndRemainder(total);
      out.add(qr[0]);
      remainders.add(qr[1]);
      given = given.add(qr[0]);
    }
    // left < parts.size(): each floor loses less than one wei.
    int left = amount.subtract(given).intValueExact();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      order.add(i);
    }
    order.sort(
        Comparator.<Integer, BigInteger>comparing(remainders::get)
            .reversed()
            .thenComparingLong(i -> parts.get(i).key())
            .thenComparing(i -> parts.get(i).tieBreak()));
    for (int j = 0; j < left; j++) {
      int i = order.get(j);
      out.set(i, out.get(i).add(BigInteger.ONE));
    }
    return out;
  }
}
