package org.openledger.bridge.domain.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class AdaptiveSpanTest {

  @Test
  void shouldGrowToMaxWhenHistoryIsSparse() {
    AdaptiveSpan s = new AdaptiveSpan(100, 2000, 5000);
    for (int i = 0; i < 10; i++) {
      s.onRead(s.span(), 10);
    }
    assertThat(s.span()).isEqualTo(2000);
  }

  @Test
  void shouldShrinkWhenOneRangeHoldsFarMoreThanTheTarget() {
    AdaptiveSpan s = new AdaptiveSpan(1000, 2000, 5000);
    s.onRead(1000, 40_000);
    assertThat(s.span()).isEqualTo(500);
    s.onRead(500, 5000);
    assertThat(s.span()).isEqualTo(500);
  }

  @Test
  void shouldIgnoreShortReadsWhenAtTheHead() {
    AdaptiveSpan s = new AdaptiveSpan(100, 2000, 5000);
    s.onRead(3, 0);
    assertThat(s.span()).isEqualTo(100);
  }

  @Test
  void shouldHalveUntilOneBlockWhenTheNodeRefuses() {
    AdaptiveSpan s = new AdaptiveSpan(8, 8, 10);
    assertThat(s.onRefused()).isTrue();
    assertThat(s.onRefused()).isTrue();
    assertThat(s.onRefused()).isTrue();
    assertThat(s.span()).isEqualTo(1);
    assertThat(s.onRefused()).isFalse();
  }

  @Test
  void shouldRejectNonPositiveLimitsWhenBuilt() {
    assertThatThrownBy(() -> new AdaptiveSpan(1, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Property
  void shouldStayWithinOneAndMaxWhenReadsAreAnything(
      @ForAll @LongRange(min = -5, max = 100_000) long initial,
      @ForAll @LongRange(min = 1, max = 100_000) long max,
      @ForAll @LongRange(min = 1, max = 100_000) long target,
      @ForAll @IntRange(min = 0, max = 50) int steps,
      @ForAll @LongRange(min = 0, max = 10_000_000) long logs) {
    AdaptiveSpan s = new AdaptiveSpan(initial, max, target);
    for (int i = 0; i < steps; i++) {
      if (i % 7 == 3) {
        s.onRefused();
      } else {
        s.onRead(s.span(), (logs * (i + 1)) % 10_000_000);
      }
      assertThat(s.span()).isBetween(1L, max);
    }
  }
}
