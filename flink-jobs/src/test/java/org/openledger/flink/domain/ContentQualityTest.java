package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ContentQualityTest {

  @Test
  void shouldPassOrdinaryTextInAnyScript() {
    assertThat(ContentQuality.assess("A stitch in time saves nine.")).isEmpty();
    assertThat(ContentQuality.assess("Энергия равна массе")).isEmpty();
    assertThat(ContentQuality.assess("能量等于质量")).isEmpty();
    assertThat(ContentQuality.assess("line one\n\tline two\r\n")).isEmpty();
    assertThat(ContentQuality.assess("a b c")).isEmpty(); // exactly the minimum
  }

  @Test
  void shouldFindNearEmptyTextBelowThreeMeaningfulCodePoints() {
    assertThat(ContentQuality.assess("?!"))
        .contains(new ContentQuality.Verdict("near-empty", "meaningful=0 min=3"));
    assertThat(ContentQuality.assess("  ok . . \u00a0\u3000 "))
        .contains(new ContentQuality.Verdict("near-empty", "meaningful=2 min=3"));
  }

  @Test
  void shouldFindNonTextAtTheBoundAndNotJustBelowIt() {
    // 1 control in 10 code points: exactly 100000 ppm, the bound.
    assertThat(ContentQuality.assess("abcdefghi\u0007"))
        .contains(
            new ContentQuality.Verdict(
                "non-text", "non-text-ppm=100000 bound-ppm=100000 code-points=10"));
    // 1 in 11: below.
    assertThat(ContentQuality.assess("abcdefghij\u0007")).isEmpty();
    assertThat(ContentQuality.assess("\uFFFD\uFFFDabc"))
        .map(ContentQuality.Verdict::rule)
        .contains("non-text");
    assertThat(ContentQuality.assess("abc\uE000\uE001"))
        .map(ContentQuality.Verdict::rule)
        .contains("non-text");
    assertThat(ContentQuality.assess("abc\u0085\u009f"))
        .map(ContentQuality.Verdict::rule)
        .contains("non-text");
    assertThat(ContentQuality.assess("abcd\uD800"))
        .map(ContentQuality.Verdict::rule)
        .contains("non-text");
  }

  @Test
  void shouldCountASupplementaryCodePointOnce() {
    assertThat(ContentQuality.assess("\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00")).isEmpty();
    assertThat(ContentQuality.assess("\uDB80\uDC00abcdefgh"))
        .contains(
            new ContentQuality.Verdict(
                "non-text", "non-text-ppm=111111 bound-ppm=100000 code-points=9"));
  }

  @Property(tries = 500)
  void shouldJudgeAnyTextTheSameWayTwiceWithoutThrowing(@ForAll String text) {
    Optional<ContentQuality.Verdict> first = ContentQuality.assess(text);
    assertThat(ContentQuality.assess(new String(text.toCharArray()))).isEqualTo(first);
    first.ifPresent(v -> assertThat(v.rule()).isIn("near-empty", "non-text"));
  }
}
