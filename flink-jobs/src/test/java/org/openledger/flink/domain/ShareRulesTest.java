package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Every share rule, from ranked scores through the payment split: exact, deterministic, blind to
 * the order of the input, conserving every wei of the pool; TOP1 pays rank 1 the whole pool, and
 * POWER with p = 1 is LINEAR shifted by the threshold.
 */
class ShareRulesTest {

  private static final BigInteger UINT256_MAX =
      BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
  private static final BigInteger TWO_TO_62 = BigInteger.ONE.shiftLeft(62);

  @Provide
  Arbitrary<ShareRule> rules() {
    return Arbitraries.oneOf(
        Arbitraries.just(ShareRule.LINEAR),
        Arbitraries.just(ShareRule.TOP1),
        Arbitraries.integers().between(1, ShareRule.MAX_POWER).map(ShareRule::power));
  }

  /**
   * What the sidecar returns for one query: up to 60 scores (ties and near-ties in ppm, zero and
   * negative ones), unique contribution ids in no particular relation to the scores.
   */
  @Provide
  Arbitrary<List<Shares.Scored>> scored() {
    Arbitrary<Float> score =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.floats().between(0f, 1f)),
            Tuple.of(3, Arbitraries.of(1f, 0.9f, 0.9000001f, 0.5f, 0.2f, 0.2000001f)),
            Tuple.of(1, Arbitraries.of(0f, -0.3f, 0.0000004f)));
    Arbitrary<List<Float>> scores = score.list().ofMaxSize(60);
    Arbitrary<Long> seed = Arbitraries.longs();
    return Combinators.combine(scores, seed)
        .as(
            (ss, s) -> {
              List<Long> ids = new ArrayList<>();
              for (int i = 0; i < ss.size(); i++) {
                ids.add(1 + 7L * i);
              }
              Collections.shuffle(ids, new Random(s));
              List<Shares.Scored> out = new ArrayList<>();
              for (int i = 0; i < ss.size(); i++) {
                out.add(new Shares.Scored(ids.get(i), "0xc" + (ids.get(i) % 5), ss.get(i)));
              }
              return out;
            });
  }

  @Provide
  Arbitrary<Long> thresholds() {
    return Arbitraries.oneOf(
        Arbitraries.of(0L, 200_000L, 900_000L, 1_000_000L),
        Arbitraries.longs().between(0, 1_000_000));
  }

  @Provide
  Arbitrary<BigInteger> fees() {
    return Arbitraries.oneOf(
        Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.valueOf(1_000)),
        Arbitraries.bigIntegers().between(BigInteger.ZERO, UINT256_MAX),
        Arbitraries.of(BigInteger.ZERO, BigInteger.ONE, UINT256_MAX));
  }

  @Property(tries = 500)
  void shouldGiveTheSameSharesWhateverTheOrderOfTheInput(
      @ForAll("scored") List<Shares.Scored> scored,
      @ForAll("rules") ShareRule rule,
      @ForAll("thresholds") long threshold,
      @ForAll long seed) {
    List<Shares.Scored> shuffled = new ArrayList<>(scored);
    Collections.shuffle(shuffled, new Random(seed));

    List<Shares.Attributed> once = Shares.attribute(scored, rule, threshold);

    assertThat(Shares.attribute(shuffled, rule, threshold)).isEqualTo(once);
    assertThat(Shares.attribute(List.copyOf(scored), rule, threshold)).isEqualTo(once);
  }

  @Property(tries = 500)
  void shouldRankByPpmThenIdWithWeightsThatFitAndPayRankOne(
      @ForAll("scored") List<Shares.Scored> scored,
      @ForAll("rules") ShareRule rule,
      @ForAll("thresholds") long threshold) {
    List<Shares.Attributed> out = Shares.attribute(scored, rule, threshold);

    assertThat(out).hasSize((int) scored.stream().filter(s -> Shares.ppm(s.score()) > 0).count());
    BigInteger sum = BigInteger.ZERO;
    for (int i = 0; i < out.size(); i++) {
      Shares.Attributed a = out.get(i);
      assertThat(a.rank()).isEqualTo(i + 1);
      assertThat(a.weight()).isNotNegative();
      if (i > 0) {
        Shares.Attributed before = out.get(i - 1);
        assertThat(a.scorePpm()).isLessThanOrEqualTo(before.scorePpm());
        if (a.scorePpm() == before.scorePpm()) {
          assertThat(a.contributionId()).isGreaterThan(before.contributionId());
        }
        assertThat(a.weight())
            .as("weights never rise down the ranks")
            .isLessThanOrEqualTo(before.weight());
      }
      sum = sum.add(BigInteger.valueOf(a.weight()));
    }
    if (!out.isEmpty()) {
      assertThat(out.get(0).weight()).isPositive();
    }
    assertThat(sum).isLessThan(TWO_TO_62);
  }

  @Property(tries = 500)
  void shouldConserveThePoolToTheWeiAfterThePaymentSplit(
      @ForAll("scored") List<Shares.Scored> scored,
      @ForAll("rules") ShareRule rule,
      @ForAll("thresholds") long threshold,
      @ForAll("fees") BigInteger fee,
      @ForAll @IntRange(min = 0, max = 10_000) int contributorBps) {
    List<Shares.Attributed> out = Shares.attribute(scored, rule, threshold);
    FeeSplit.Bps bps = new FeeSplit.Bps(contributorBps, 10_000 - contributorBps, 0);

    FeeSplit.Split split = FeeSplit.split(fee, bps, shares(out));

    BigInteger pool = fee.multiply(BigInteger.valueOf(contributorBps)).divide(big(10_000));
    BigInteger paid = split.contributions().stream().reduce(BigInteger.ZERO, BigInteger::add);
    assertThat(split.sum()).isEqualTo(fee);
    assertThat(paid.add(split.unattributedPool())).isEqualTo(pool);
    assertThat(split.unattributedPool().signum() == 0 || out.isEmpty()).isTrue();
    assertThat(split.contributions()).allMatch(c -> c.signum() >= 0);
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).weight() == 0) {
        assertThat(split.contributions().get(i)).as("weight 0 earns nothing").isZero();
      }
    }
  }

  @Property(tries = 300)
  void shouldPayTheWholePoolToRankOneWhenTheRuleIsTop1(
      @ForAll("scored") List<Shares.Scored> scored,
      @ForAll("thresholds") long threshold,
      @ForAll("fees") BigInteger fee) {
    List<Shares.Attributed> out = Shares.attribute(scored, ShareRule.TOP1, threshold);
    FeeSplit.Split split = FeeSplit.split(fee, new FeeSplit.Bps(7000, 2000, 1000), shares(out));

    BigInteger pool = fee.multiply(big(7000)).divide(big(10_000));
    if (out.isEmpty()) {
      assertThat(split.unattributedPool()).isEqualTo(pool);
      return;
    }
    long best = out.stream().mapToLong(Shares.Attributed::scorePpm).max().orElseThrow();
    long winner =
        out.stream()
            .filter(a -> a.scorePpm() == best)
            .mapToLong(Shares.Attributed::contributionId)
            .min()
            .orElseThrow();
    assertThat(out.get(0).contributionId()).isEqualTo(winner);
    assertThat(split.contributions().get(0)).isEqualTo(pool);
    assertThat(split.contributions().subList(1, out.size())).allMatch(c -> c.signum() == 0);
  }

  @Property(tries = 500)
  void shouldEqualLinearShiftedByTheThresholdWhenTheRuleIsPowerOne(
      @ForAll("scored") List<Shares.Scored> scored, @ForAll("thresholds") long threshold) {
    List<Shares.Attributed> linear = Shares.attribute(scored, ShareRule.LINEAR, threshold);
    List<Shares.Attributed> power = Shares.attribute(scored, ShareRule.power(1), threshold);

    assertThat(power).hasSameSizeAs(linear);
    for (int i = 0; i < linear.size(); i++) {
      Shares.Attributed l = linear.get(i);
      Shares.Attributed p = power.get(i);
      assertThat(p.contributionId()).isEqualTo(l.contributionId());
      assertThat(p.rank()).isEqualTo(l.rank());
      assertThat(l.weight()).isEqualTo(l.scorePpm());
      // Scores at or above the threshold (all the sidecar returns): linear − threshold + 1.
      assertThat(p.weight()).isEqualTo(Math.max(l.weight(), threshold) - threshold + 1);
    }
  }

  @Property(tries = 500)
  void shouldKeepEveryPowerShareWithinItsBoundOfTheExactRatio(
      @ForAll("scored") List<Shares.Scored> scored,
      @ForAll @IntRange(min = 1, max = 8) int p,
      @ForAll("thresholds") long threshold) {
    List<Shares.Attributed> out = Shares.attribute(scored, ShareRule.power(p), threshold);
    int n = out.size();
    BigInteger[] raw = new BigInteger[n];
    BigInteger rawSum = BigInteger.ZERO;
    BigInteger weightSum = BigInteger.ZERO;
    for (int i = 0; i < n; i++) {
      raw[i] = big(Math.max(0, out.get(i).scorePpm() - threshold) + 1).pow(p);
      rawSum = rawSum.add(raw[i]);
      weightSum = weightSum.add(big(out.get(i).weight()));
    }
    for (int i = 0; i < n; i++) {
      BigInteger w = big(out.get(i).weight());
      if (rawSum.bitLength() <= 62) {
        assertThat(w).as("exact below 2^62").isEqualTo(raw[i]);
      }
      // |w/W − raw/S| < (n + 1) / 2^61, i.e. |w·S − raw·W| · 2^61 < (n + 1) · W · S
      BigInteger gap = w.multiply(rawSum).subtract(raw[i].multiply(weightSum)).abs();
      assertThat(gap.shiftLeft(61)).isLessThan(big(n + 1).multiply(weightSum).multiply(rawSum));
    }
  }

  @Test
  void shouldSplitThePoolAsTheTableInPaymentsMdSays() {
    List<Shares.Scored> scored =
        List.of(
            new Shares.Scored(1, "0xc1", 0.9f),
            new Shares.Scored(2, "0xc2", 0.5f),
            new Shares.Scored(3, "0xc3", 0.3f));
    FeeSplit.Bps bps = new FeeSplit.Bps(7000, 2000, 1000); // fee 1000 → pool 700

    assertThat(paid(scored, ShareRule.LINEAR, bps)).containsExactly(big(371), big(206), big(123));
    assertThat(paid(scored, ShareRule.TOP1, bps)).containsExactly(big(700), big(0), big(0));
    assertThat(paid(scored, ShareRule.power(2), bps)).containsExactly(big(581), big(107), big(12));
    assertThat(paid(scored, ShareRule.power(8), bps)).containsExactly(big(699), big(1), big(0));
    assertThat(Shares.attribute(scored, ShareRule.power(8), 200_000))
        .extracting(Shares.Attributed::weight)
        .containsExactly(
            big(700_001).pow(8).shiftRight(94).longValueExact(),
            big(300_001).pow(8).shiftRight(94).longValueExact(),
            big(100_001).pow(8).shiftRight(94).longValueExact());
  }

  private static List<BigInteger> paid(
      List<Shares.Scored> scored, ShareRule rule, FeeSplit.Bps bps) {
    return FeeSplit.split(big(1000), bps, shares(Shares.attribute(scored, rule, 200_000)))
        .contributions();
  }

  private static List<FeeSplit.Share> shares(List<Shares.Attributed> out) {
    return out.stream()
        .map(a -> new FeeSplit.Share(a.contributionId(), a.contributor(), a.weight()))
        .toList();
  }

  private static BigInteger big(long v) {
    return BigInteger.valueOf(v);
  }
}
