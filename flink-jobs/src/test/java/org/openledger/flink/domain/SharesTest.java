package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import org.junit.jupiter.api.Test;

/**
 * Scores to integer parts per million, and ranked scores to consecutive shares weighted by each
 * share rule. Properties over all rules are in {@link ShareRulesTest}.
 */
class SharesTest {

  private static Shares.Scored scored(long id, float score) {
    return new Shares.Scored(id, "0xc" + id, score);
  }

  @Test
  void shouldRoundHalfUpToPartsPerMillion() {
    assertThat(Shares.ppm(0.5f)).isEqualTo(500_000);
    assertThat(Shares.ppm(1.0f)).isEqualTo(1_000_000);
    assertThat(Shares.ppm(0f)).isZero();
  }

  @Test
  void shouldRoundAnExactHalfPpmUp() {
    // 2^-7 is exactly 7812.5 ppm
    assertThat(Shares.ppm(0.0078125f)).isEqualTo(7_813);
  }

  @Test
  void shouldRoundDownWhenTheFloatIsJustBelowHalfAPpm() {
    // 0.0000005f is 0.4999999987... ppm
    assertThat(Shares.ppm(0.0000005f)).isZero();
    assertThat(Shares.ppm(0.0000015f)).isEqualTo(2);
  }

  @Test
  void shouldUseTheFloatsExactValueWhenItIsNotADecimal() {
    // 0.1f is 0.100000001490116..., i.e. 100000.0015 ppm
    assertThat(Shares.ppm(0.1f)).isEqualTo(100_000);
    // 0.7f is 0.699999988079071..., i.e. 699999.988 ppm
    assertThat(Shares.ppm(0.7f)).isEqualTo(700_000);
  }

  @Property
  void shouldStayWithinOneMillionAndWithinHalfAPpmWhenTheScoreIsASimilarity(
      @ForAll @FloatRange(min = 0, max = 1) float score) {
    long ppm = Shares.ppm(score);

    assertThat(ppm).isBetween(0L, 1_000_000L).isEqualTo(Shares.ppm(score));
    assertThat(Math.abs(ppm - score * 1_000_000.0)).isLessThanOrEqualTo(0.5);
  }

  private static List<Shares.Attributed> linear(Shares.Scored... scored) {
    return Shares.attribute(List.of(scored), ShareRule.LINEAR, 0);
  }

  @Test
  void shouldDropZeroAndNegativeScores() {
    List<Shares.Attributed> out =
        linear(scored(1, 0.9f), scored(2, 0f), scored(3, -0.4f), scored(4, 0.0000001f));

    assertThat(out).extracting(Shares.Attributed::contributionId).containsExactly(1L);
  }

  @Test
  void shouldRankConsecutivelyFromOneWhenScoresInTheMiddleAreDropped() {
    List<Shares.Attributed> out =
        linear(scored(5, 0.9f), scored(6, 0f), scored(7, 0.5f), scored(8, -1f), scored(9, 0.2f));

    assertThat(out).extracting(Shares.Attributed::contributionId).containsExactly(5L, 7L, 9L);
    assertThat(out).extracting(Shares.Attributed::rank).containsExactly(1, 2, 3);
  }

  @Test
  void shouldWeighEachContributionByItsPpmAndKeepItsContributorWhenTheRuleIsLinear() {
    List<Shares.Attributed> out = linear(scored(1, 0.75f), scored(2, 0.25f));

    assertThat(out)
        .containsExactly(
            new Shares.Attributed(1, "0xc1", 1, 750_000, 750_000),
            new Shares.Attributed(2, "0xc2", 2, 250_000, 250_000));
  }

  @Test
  void shouldRankEqualPpmsBySmallerIdWhateverTheInputOrder() {
    // 0.5f and 0.5000002f differ as floats but are both 500000 ppm: a tie, to the smaller id.
    List<Shares.Attributed> out =
        linear(scored(9, 0.5000002f), scored(3, 0.5f), scored(1, 0.25f), scored(4, 0.9f));

    assertThat(out).extracting(Shares.Attributed::contributionId).containsExactly(4L, 3L, 9L, 1L);
    assertThat(out).extracting(Shares.Attributed::rank).containsExactly(1, 2, 3, 4);
  }

  @Test
  void shouldAttributeNothingWhenNothingWasRanked() {
    for (ShareRule rule : List.of(ShareRule.LINEAR, ShareRule.TOP1, ShareRule.power(8))) {
      assertThat(Shares.attribute(List.of(), rule, 200_000)).isEmpty();
    }
  }

  @Test
  void shouldGiveRankOneWeightOneAndListTheOthersWithWeightZeroWhenTheRuleIsTop1() {
    List<Shares.Attributed> out =
        Shares.attribute(
            List.of(scored(2, 0.5f), scored(7, 0.9f), scored(3, 0.9f)), ShareRule.TOP1, 200_000);

    assertThat(out)
        .containsExactly(
            new Shares.Attributed(3, "0xc3", 1, 900_000, 1),
            new Shares.Attributed(7, "0xc7", 2, 900_000, 0),
            new Shares.Attributed(2, "0xc2", 3, 500_000, 0));
  }

  @Test
  void shouldWeighByTheExactPowerOfTheMarginOverTheThresholdWhenItFits() {
    List<Shares.Attributed> out =
        Shares.attribute(
            List.of(scored(1, 0.9f), scored(2, 0.5f), scored(3, 0.2f)),
            ShareRule.power(2),
            200_000);

    // (900000 − 200000 + 1)², (500000 − 200000 + 1)², (200000 − 200000 + 1)²
    assertThat(out)
        .extracting(Shares.Attributed::weight)
        .containsExactly(700_001L * 700_001L, 300_001L * 300_001L, 1L);
  }

  @Test
  void shouldGiveWeightOneToAScoreThatRoundsBelowTheThreshold() {
    List<Shares.Attributed> out =
        Shares.attribute(List.of(scored(1, 0.1999994f)), ShareRule.power(3), 200_000);

    assertThat(out).extracting(Shares.Attributed::weight).containsExactly(1L);
  }

  @Test
  void shouldShiftEveryPowerWeightBySameBitsWhenTheirSumReaches2To62() {
    List<Shares.Attributed> out =
        Shares.attribute(
            List.of(scored(1, 1.0f), scored(2, 0.6f), scored(3, 0.3f)), ShareRule.power(8), 0);

    BigInteger[] raw = {
      BigInteger.valueOf(1_000_001).pow(8),
      BigInteger.valueOf(600_001).pow(8),
      BigInteger.valueOf(300_001).pow(8)
    };
    int shift = raw[0].add(raw[1]).add(raw[2]).bitLength() - 62;
    assertThat(shift).isPositive();
    assertThat(out)
        .extracting(Shares.Attributed::weight)
        .containsExactly(
            raw[0].shiftRight(shift).longValueExact(),
            raw[1].shiftRight(shift).longValueExact(),
            raw[2].shiftRight(shift).longValueExact());
    long sum = out.stream().mapToLong(Shares.Attributed::weight).sum();
    assertThat(sum).isPositive().isLessThan(1L << 62);
  }

  @Test
  void shouldRefuseAnExponentOutsideOneToEightAndAParameterForLinearOrTop1() {
    assertThatThrownBy(() -> ShareRule.power(0))
        .hasMessage("POWER takes an exponent of 1 to 8, not 0");
    assertThatThrownBy(() -> ShareRule.power(9))
        .hasMessage("POWER takes an exponent of 1 to 8, not 9");
    assertThatThrownBy(() -> new ShareRule(ShareRule.Kind.TOP1, 1))
        .hasMessage("TOP1 takes no parameter (0), not 1");
    assertThatThrownBy(() -> ShareRule.of("SOFTMAX", 0))
        .hasMessageStartingWith("share rule SOFTMAX(0): ");
    assertThat(ShareRule.of("POWER", 3)).isEqualTo(ShareRule.power(3));
    assertThat(ShareRule.of("TOP1", 0).code()).isEqualTo(1);
  }
}
