package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** When a contribution stops earning (earliest closer, duplicates) and the duplicate rule. */
class LifecycleTest {

  @Test
  void shouldStayOpenWhenThereAreNoClosers() {
    assertThat(Lifecycle.closedAt(new long[0], false, 10)).isEmpty();
  }

  @Test
  void shouldCloseAtTheEarliestCloserWhenSeveralClose() {
    assertThat(Lifecycle.closedAt(new long[] {30, 12, 20}, false, 10)).hasValue(12);
  }

  @Test
  void shouldCloseADuplicateAtItsOwnStartBlock() {
    assertThat(Lifecycle.closedAt(new long[0], true, 10)).hasValue(10);
  }

  @Test
  void shouldCloseADuplicateAtItsStartEvenWhenItAlsoHasLaterClosers() {
    assertThat(Lifecycle.closedAt(new long[] {15}, true, 10)).hasValue(10);
  }

  @Property
  void shouldAlwaysCloseAtTheMinimumCloserWhenNotADuplicate(
      @ForAll @Size(min = 1, max = 10) long @LongRange(min = 0, max = 1_000_000) [] blocks) {
    long min = Arrays.stream(blocks).min().orElseThrow();

    assertThat(Lifecycle.closedAt(blocks, false, 0)).hasValue(min);
  }

  @Test
  void shouldBeADuplicateWhenTheMatchIsExactlyAtTheBound() {
    assertThat(Lifecycle.isDuplicate(0.95f, 950_000)).isTrue();
  }

  @Test
  void shouldBeADuplicateWhenTheMatchIsAboveTheBound() {
    assertThat(Lifecycle.isDuplicate(1.0f, 950_000)).isTrue();
  }

  @Test
  void shouldNotBeADuplicateWhenTheMatchIsOnePpmBelowTheBound() {
    assertThat(Lifecycle.isDuplicate(0.949999f, 950_000)).isFalse();
  }

  @Test
  void shouldCompareInPpmSoFloatNoiseBelowHalfAPpmCountsAsTheBound() {
    // 0.95f is 0.949999988..., below 0.95 as a double but 950000 ppm once rounded
    assertThat((double) 0.95f).isLessThan(0.95);
    assertThat(Lifecycle.isDuplicate(0.95f, 950_000)).isTrue();
  }
}
