package org.openledger.flink.domain;

import java.math.BigInteger;

/**
 * The governed share rule (ProtocolParams.shareRule, shareRuleParam): how one inference's ranked
 * scores become the integer weights its contributor pool is split by. Integer arithmetic only, on
 * scores in parts per million, so every node computes the same weights. The rules are in
 * docs/PAYMENTS.md; the version in force at the inference's block applies.
 *
 * @param kind the rule
 * @param param POWER's exponent (1 to {@link #MAX_POWER}); 0 for the other rules
 */
public record ShareRule(Kind kind, int param) {

  /** The rules, in the order of their on-chain codes (0, 1, 2). */
  public enum Kind {
    /** weight = score in ppm: the pool splits in proportion to similarity. */
    LINEAR,
    /** the best-ranked contribution has weight 1, every other 0: it takes the pool. */
    TOP1,
    /** weight = (score ppm − threshold ppm + 1)^p, scaled to 62 bits when larger. */
    POWER
  }

  /** ProtocolParams.MAX_POWER. */
  public static final int MAX_POWER = 8;

  /**
   * The bits the POWER weights of one inference may take together: their sum stays below 2^62, so
   * it fits a {@code long} (Avro {@code long}, ClickHouse {@code UInt64}) with room to spare.
   */
  static final int WEIGHT_BITS = 62;

  public static final ShareRule LINEAR = new ShareRule(Kind.LINEAR, 0);
  public static final ShareRule TOP1 = new ShareRule(Kind.TOP1, 0);

  public ShareRule {
    if (kind == null) {
      throw new IllegalArgumentException("a share rule needs a kind");
    }
    boolean valid = kind == Kind.POWER ? param >= 1 && param <= MAX_POWER : param == 0;
    if (!valid) {
      throw new IllegalArgumentException(
          kind == Kind.POWER
              ? "POWER takes an exponent of 1 to " + MAX_POWER + ", not " + param
              : kind + " takes no parameter (0), not " + param);
    }
  }

  public static ShareRule power(int exponent) {
    return new ShareRule(Kind.POWER, exponent);
  }

  /** The rule a ParamsChanged names: the kind by its symbol, with its parameter. */
  public static ShareRule of(String kind, int param) {
    try {
      return new ShareRule(Kind.valueOf(kind), param);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "share rule " + kind + "(" + param + "): " + e.getMessage());
    }
  }

  /**
   * The weights of contributions scored {@code scorePpms}, given in rank order (score desc, id
   * asc), each positive; {@code thresholdPpm} is the params' similarity threshold. The result is
   * parallel to the input, never negative, positive at rank 1, and sums to less than 2^62.
   */
  public long[] weights(long[] scorePpms, long thresholdPpm) {
    long[] out = new long[scorePpms.length];
    if (out.length == 0) {
      return out;
    }
    switch (kind) {
      case LINEAR -> System.arraycopy(scorePpms, 0, out, 0, out.length);
      case TOP1 -> out[0] = 1;
      case POWER -> power(scorePpms, thresholdPpm, out);
    }
    return out;
  }

  /**
   * m = max(0, score − threshold) + 1 (so the weakest contribution that passed the threshold still
   * has weight 1), raw = m^p exactly; when the raw weights sum to 2^62 or more, each is shifted
   * right by the same number of bits s, the fewest that bring the sum below 2^62: weight = ⌊raw /
   * 2^s⌋. Below that the weights are the exact powers.
   */
  private void power(long[] scorePpms, long thresholdPpm, long[] out) {
    BigInteger[] raw = new BigInteger[scorePpms.length];
    BigInteger sum = BigInteger.ZERO;
    for (int i = 0; i < raw.length; i++) {
      long margin = Math.max(0, scorePpms[i] - thresholdPpm) + 1;
      raw[i] = BigInteger.valueOf(margin).pow(param);
      sum = sum.add(raw[i]);
    }
    int shift = Math.max(0, sum.bitLength() - WEIGHT_BITS);
    for (int i = 0; i < raw.length; i++) {
      out[i] = raw[i].shiftRight(shift).longValueExact();
    }
  }

  /** The code ProtocolParams uses for this rule: 0 LINEAR, 1 TOP1, 2 POWER. */
  public int code() {
    return kind.ordinal();
  }

  @Override
  public String toString() {
    return kind == Kind.POWER ? "POWER(" + param + ")" : kind.name();
  }
}
