package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** Windows are aligned slots cut at params changes, and never overlap. */
class SettlementWindowsTest {

  static PaymentParams params(long version, long block, long window) {
    return new PaymentParams(
        version,
        block,
        "0xb" + block + ":" + version,
        new FeeSplit.Bps(7_000, 2_000, 1_000),
        BigInteger.ZERO,
        window,
        200);
  }

  @Test
  void shouldAlignWindowsToTheirLength() {
    ParamsHistory<PaymentParams> h = ParamsHistory.<PaymentParams>empty().with(params(1, 0, 10));
    assertThat(SettlementWindows.of(0, h)).isEqualTo(new SettlementWindows.Window(0, 9));
    assertThat(SettlementWindows.of(25, h)).isEqualTo(new SettlementWindows.Window(20, 29));
  }

  @Test
  void shouldStartTheFirstWindowWhereTheParamsStart() {
    ParamsHistory<PaymentParams> h = ParamsHistory.<PaymentParams>empty().with(params(1, 4, 10));
    assertThat(SettlementWindows.of(5, h)).isEqualTo(new SettlementWindows.Window(4, 9));
    assertThat(SettlementWindows.of(2, h)).isEqualTo(new SettlementWindows.Window(2, 2));
  }

  @Test
  void shouldCutAWindowWhereANewLengthStarts() {
    ParamsHistory<PaymentParams> h =
        ParamsHistory.<PaymentParams>empty().with(params(1, 0, 10)).with(params(2, 14, 4));
    assertThat(SettlementWindows.of(12, h)).isEqualTo(new SettlementWindows.Window(10, 13));
    assertThat(SettlementWindows.of(14, h)).isEqualTo(new SettlementWindows.Window(14, 15));
    assertThat(SettlementWindows.of(16, h)).isEqualTo(new SettlementWindows.Window(16, 19));
  }

  @Property(tries = 300)
  void shouldCoverEveryBlockByExactlyOneWindow(
      @ForAll @IntRange(min = 1, max = 13) int first,
      @ForAll @IntRange(min = 1, max = 13) int second,
      @ForAll @LongRange(min = 0, max = 60) long change) {
    ParamsHistory<PaymentParams> h =
        ParamsHistory.<PaymentParams>empty()
            .with(params(1, 0, first))
            .with(params(2, change, second));
    for (long b = 0; b < 100; b++) {
      SettlementWindows.Window w = SettlementWindows.of(b, h);
      assertThat(w.contains(b)).isTrue();
      for (long other = w.start(); other <= w.end(); other++) {
        assertThat(SettlementWindows.of(other, h)).isEqualTo(w);
      }
    }
  }
}
