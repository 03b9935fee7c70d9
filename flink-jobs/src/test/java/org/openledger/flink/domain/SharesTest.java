package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Scores to integer parts per million, and ranked scores to weighted, consecutive shares. */
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

  @Test
  void shouldDropZeroAndNegativeScores() {
    List<Shares.Attributed> out =
        Shares.attribute(
            List.of(scored(1, 0.9f), scored(2, 0f), scored(3, -0.4f), scored(4, 0.0000001f)));

    assertThat(out).extracting(Shares.Attributed::contributionId).containsExactly(1L);
  }

  @Test
  void shouldRankConsecutivelyFromOneWhenScoresInTheMiddleAreDropped() {
    List<Shares.Attributed> out =
        Shares.attribute(
            List.of(
                scored(5, 0.9f), scored(6, 0f), scored(7, 0.5f), scored(8, -1f), scored(9, 0.2f)));

    assertThat(out).extracting(Shares.Attributed::contributionId).containsExactly(5L, 7L, 9L);
    assertThat(out).extracting(Shares.Attributed::rank).containsExactly(1, 2, 3);
  }

  @Test
  void shouldWeighEachContributionByItsPpmAndKeepItsContributor() {
    List<Shares.Attributed> out = Shares.attribute(List.of(scored(1, 0.75f), scored(2, 0.25f)));

    assertThat(out)
        .containsExactly(
            new Shares.Attributed(1, "0xc1", 1, 750_000, 750_000),
            new Shares.Attributed(2, "0xc2", 2, 250_000, 250_000));
  }

  @Test
  void shouldKeepTheSidecarsOrderWhenScoresTie() {
    List<Shares.Attributed> out = Shares.attribute(List.of(scored(3, 0.5f), scored(9, 0.5f)));

    assertThat(out).extracting(Shares.Attributed::contributionId).containsExactly(3L, 9L);
    assertThat(out).extracting(Shares.Attributed::rank).containsExactly(1, 2);
  }

  @Test
  void shouldAttributeNothingWhenNothingWasRanked() {
    assertThat(Shares.attribute(List.of())).isEmpty();
  }

  @Property
  void shouldRankConsecutivelyWithPositiveWeightsEqualToPpm(
      @ForAll @Size(max = 20) List<Float> scores) {
    List<Shares.Scored> ranked = new ArrayList<>();
    for (int i = 0; i < scores.size(); i++) {
      ranked.add(scored(i, scores.get(i)));
    }

    List<Shares.Attributed> out = Shares.attribute(ranked);

    long positive = ranked.stream().filter(s -> Shares.ppm(s.score()) > 0).count();
    assertThat(out).hasSize((int) positive);
    for (int i = 0; i < out.size(); i++) {
      Shares.Attributed a = out.get(i);
      assertThat(a.rank()).isEqualTo(i + 1);
      assertThat(a.weight()).isEqualTo(a.scorePpm()).isPositive();
      assertThat(a.scorePpm()).isEqualTo(Shares.ppm(scores.get((int) a.contributionId())));
    }
  }
}
