package org.openledger.bridge.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PacerTest {

  private static final long MS = 1_000_000L;

  @Test
  void shouldSpaceSendsByThePeriodWhenOnTime() {
    Pacer pacer = new Pacer(1000, 0);

    assertThat(pacer.waitNanos(0)).isZero();
    pacer.sent();
    assertThat(pacer.waitNanos(0)).isEqualTo(MS);
    assertThat(pacer.waitNanos(MS / 4)).isEqualTo(3 * MS / 4);
    assertThat(pacer.waitNanos(MS)).isZero();
  }

  @Test
  void shouldNotDriftWhenThePeriodIsNotAWholeNumberOfNanoseconds() {
    Pacer pacer = new Pacer(3, 0);
    for (int i = 0; i < 3_000; i++) {
      pacer.sent();
    }

    assertThat(pacer.dueNanos()).isEqualTo(1_000L * 1_000_000_000L);
  }

  @Test
  void shouldLetASlightlyLateSenderCatchUpWithoutWaiting() {
    Pacer pacer = new Pacer(100, 0);
    pacer.sent();
    pacer.sent();

    // Due at 20 ms, now 500 ms: three sends in a row are due at once (a short burst).
    assertThat(pacer.waitNanos(500 * MS)).isZero();
    pacer.sent();
    assertThat(pacer.waitNanos(500 * MS)).isZero();
    assertThat(pacer.dueNanos()).isEqualTo(30 * MS);
  }

  @Test
  void shouldDropTheBacklogWhenMoreThanASecondBehind() {
    Pacer pacer = new Pacer(100, 0);
    pacer.sent();

    assertThat(pacer.waitNanos(5_000 * MS)).isZero();
    assertThat(pacer.dueNanos()).isEqualTo(5_000 * MS);
    pacer.sent();
    assertThat(pacer.waitNanos(5_000 * MS)).isEqualTo(10 * MS);
  }

  @Test
  void shouldRefuseARateThatIsNotPositive() {
    assertThatThrownBy(() -> new Pacer(0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
