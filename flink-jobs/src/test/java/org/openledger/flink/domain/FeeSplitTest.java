package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The fee split to the wei: conservation, the rounding rule, ties and order independence. */
class FeeSplitTest {

  private static final BigInteger UINT256_MAX =
      BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);

  @Provide
  Arbitrary<BigInteger> fees() {
    return Arbitraries.oneOf(
        Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.valueOf(1_000)),
        Arbitraries.bigIntegers().between(BigInteger.ZERO, UINT256_MAX),
        Arbitraries.of(BigInteger.ZERO, BigInteger.ONE, UINT256_MAX));
  }

  @Provide
  Arbitrary<FeeSplit.Bps> bps() {
    return Arbitraries.integers()
        .between(0, 10_000)
        .flatMap(
            c ->
                Arbitraries.integers()
                    .between(0, 10_000 - c)
                    .map(o -> new FeeSplit.Bps(c, o, 10_000 - c - o)));
  }

  /** Any shares: none, one, zero weights, ties, many; ids unique. */
  @Provide
  Arbitrary<List<FeeSplit.Share>> shares() {
    Arbitrary<Long> weight =
        Arbitraries.oneOf(
            Arbitraries.of(0L, 1L, 500_000L, 1_000_000L),
            Arbitraries.longs().between(0, 1_000_000),
            Arbitraries.longs().between(0, Long.MAX_VALUE / 5_000));
    return weight
        .list()
        .ofMinSize(0)
        .ofMaxSize(300)
        .map(
            ws -> {
              List<FeeSplit.Share> out = new ArrayList<>();
              for (int i = 0; i < ws.size(); i++) {
                out.add(new FeeSplit.Share(i + 1, "0xc" + (i % 7), ws.get(i)));
              }
              return out;
            });
  }

  @Property(tries = 500)
  void shouldConserveEveryWeiOfAnyFee(
      @ForAll("fees") BigInteger fee,
      @ForAll("bps") FeeSplit.Bps bps,
      @ForAll("shares") List<FeeSplit.Share> shares) {
    FeeSplit.Split split = FeeSplit.split(fee, bps, shares);
    assertThat(split.sum()).isEqualTo(fee);
    assertThat(split.contributions()).hasSameSizeAs(shares).allMatch(a -> a.signum() >= 0);
    BigInteger pool = fee.multiply(BigInteger.valueOf(bps.contributor())).divide(big(10_000));
    BigInteger owner = fee.multiply(BigInteger.valueOf(bps.owner())).divide(big(10_000));
    assertThat(split.owner()).isEqualTo(owner);
    assertThat(split.protocol()).isEqualTo(fee.subtract(pool).subtract(owner));
    boolean attributed = shares.stream().anyMatch(s -> s.weight() > 0);
    assertThat(split.unattributedPool()).isEqualTo(attributed ? BigInteger.ZERO : pool);
  }

  @Property(tries = 500)
  void shouldKeepTheRemainderBelowThePayeeCountAndGiveZeroWeightsNothing(
      @ForAll("fees") BigInteger pool, @ForAll("shares") List<FeeSplit.Share> shares) {
    if (shares.stream().noneMatch(s -> s.weight() > 0)) {
      return;
    }
    List<BigInteger> parts =
        FeeSplit.split(pool, new FeeSplit.Bps(10_000, 0, 0), shares).contributions();
    BigInteger total = big(shares.stream().mapToLong(FeeSplit.Share::weight).sum());
    BigInteger floors = BigInteger.ZERO;
    for (int i = 0; i < shares.size(); i++) {
      BigInteger floor = pool.multiply(big(shares.get(i).weight())).divide(total);
      // each part is its floor or one wei more
      assertThat(parts.get(i).subtract(floor)).isBetween(BigInteger.ZERO, BigInteger.ONE);
      if (shares.get(i).weight() == 0) {
        assertThat(parts.get(i)).isZero();
      }
      floors = floors.add(floor);
    }
    assertThat(pool.subtract(floors)).isLessThan(big(shares.size()));
  }

  @Property(tries = 300)
  void shouldNotDependOnTheOrderOfTheShares(
      @ForAll("fees") BigInteger fee,
      @ForAll("bps") FeeSplit.Bps bps,
      @ForAll("shares") List<FeeSplit.Share> shares,
      @ForAll long seed) {
    List<FeeSplit.Share> shuffled = new ArrayList<>(shares);
    Collections.shuffle(shuffled, new Random(seed));
    FeeSplit.Split a = FeeSplit.split(fee, bps, shares);
    FeeSplit.Split b = FeeSplit.split(fee, bps, shuffled);
    for (int i = 0; i < shuffled.size(); i++) {
      int original = shares.indexOf(shuffled.get(i));
      assertThat(b.contributions().get(i)).isEqualTo(a.contributions().get(original));
    }
    assertThat(b.owner()).isEqualTo(a.owner());
    assertThat(b.protocol()).isEqualTo(a.protocol());
  }

  @Property(tries = 100)
  void shouldSplitHugeCountsExactly(@ForAll @IntRange(min = 1_000, max = 20_000) int n) {
    List<FeeSplit.Share> shares = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      shares.add(new FeeSplit.Share(i, "0xc", 1 + i % 3));
    }
    BigInteger fee = big(n).multiply(big(7)).add(big(n - 1));
    FeeSplit.Split split = FeeSplit.split(fee, new FeeSplit.Bps(7_000, 2_000, 1_000), shares);
    assertThat(split.sum()).isEqualTo(fee);
  }

  @Test
  void shouldGiveTheLeftoverWeiToTheLargestRemaindersThenTheSmallerId() {
    // pool 10 over three equal weights: 3/3/3 and one wei left, which goes to id 1 (a tie)
    List<FeeSplit.Share> shares =
        List.of(
            new FeeSplit.Share(3, "0xc", 1),
            new FeeSplit.Share(1, "0xa", 1),
            new FeeSplit.Share(2, "0xb", 1));
    FeeSplit.Split split = FeeSplit.split(big(10), new FeeSplit.Bps(10_000, 0, 0), shares);
    assertThat(split.contributions()).containsExactly(big(3), big(4), big(3));
  }

  @Test
  void shouldLetTheProtocolTakeTheRoundingOfThePoolAndOwnerShares() {
    // 999 wei at 70/20/10: pool ⌊699.3⌋ = 699, owner ⌊199.8⌋ = 199, protocol the other 101
    FeeSplit.Split split =
        FeeSplit.split(
            big(999),
            new FeeSplit.Bps(7_000, 2_000, 1_000),
            List.of(new FeeSplit.Share(1, "0xa", 2), new FeeSplit.Share(2, "0xb", 1)));
    assertThat(split.contributions()).containsExactly(big(466), big(233));
    assertThat(split.owner()).isEqualTo(big(199));
    assertThat(split.protocol()).isEqualTo(big(101));
  }

  @Test
  void shouldSendAnUnattributedPoolToTheProtocol() {
    FeeSplit.Split split =
        FeeSplit.split(big(1_000), new FeeSplit.Bps(7_000, 2_000, 1_000), List.of());
    assertThat(split.unattributedPool()).isEqualTo(big(700));
    assertThat(split.protocol()).isEqualTo(big(100));
    assertThat(split.sum()).isEqualTo(big(1_000));
  }

  @Test
  void shouldRefuseBpsThatDoNotSumTo10000() {
    assertThatThrownBy(() -> new FeeSplit.Bps(7_000, 2_000, 999))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FeeSplit.Bps(-1, 10_001, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static BigInteger big(long v) {
    return BigInteger.valueOf(v);
  }
}
