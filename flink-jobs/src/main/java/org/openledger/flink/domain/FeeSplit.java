package org.openledger.flink.domain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one inference fee to the wei. Contributor pool = ⌊F·c/10000⌋ and model owner =
 * ⌊F·o/10000⌋; the protocol takes the rest, rounding included. The pool splits over the attributed
 * contributions by weight with {@link LargestRemainder} (ties to the smaller contribution id); with
 * no positive weight it is unattributed and goes to the protocol. Whatever the input, the parts sum
 * to the fee.
 */
public final class FeeSplit {

  private static final BigInteger BPS = BigInteger.valueOf(10_000);

  /** The split rule of one params version: basis points that sum to 10000. */
  public record Bps(int contributor, int owner, int protocol) {
    public Bps {
      if (contributor < 0
          || owner < 0
          || protocol < 0
          || contributor + owner + protocol != 10_000) {
        throw new IllegalArgumentException(
            "bps must be non-negative and sum to 10000: "
                + contributor
                + "/"
                + owner
                + "/"
                + protocol);
      }
    }
  }

  /** An attributed contribution and its share weight. */
  public record Share(long contributionId, String contributor, long weight) {}

  /**
   * The outcome: {@code contributions} is parallel to the shares given; {@code unattributedPool} is
   * the pool when nobody was attributed (zero otherwise) and goes to the protocol as well.
   */
  public record Split(
      BigInteger fee,
      BigInteger owner,
      BigInteger protocol,
      BigInteger unattributedPool,
      List<BigInteger> contributions) {

    /** Every part together; equals {@code fee} by construction. */
    public BigInteger sum() {
      BigInteger s = owner.add(protocol).add(unattributedPool);
      for (BigInteger c : contributions) {
        s = s.add(c);
      }
      return s;
    }
  }

  private FeeSplit() {}

  public static Split split(BigInteger fee, Bps bps, List<Share> shares) {
    if (fee.signum() < 0) {
      throw new IllegalArgumentException("negative fee " + fee);
    }
    BigInteger pool = fee.multiply(BigInteger.valueOf(bps.contributor())).divide(BPS);
    BigInteger owner = fee.multiply(BigInteger.valueOf(bps.owner())).divide(BPS);
    BigInteger protocol = fee.subtract(pool).subtract(owner);
    boolean weighted = false; // LargestRemainder sums the weights exactly, in BigInteger
    List<LargestRemainder.Part> parts = new ArrayList<>(shares.size());
    for (Share s : shares) {
      weighted |= s.weight() > 0;
      parts.add(new LargestRemainder.Part(s.contributionId(), s.contributor(), s.weight()));
    }
    if (!weighted) {
      List<BigInteger> zeros = shares.stream().map(s -> BigInteger.ZERO).toList();
      return new Split(fee, owner, protocol, pool, zeros);
    }
    return new Split(
        fee, owner, protocol, BigInteger.ZERO, LargestRemainder.apportion(pool, parts));
  }
}
