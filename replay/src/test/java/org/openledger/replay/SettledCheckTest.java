package org.openledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.openledger.events.BatchSettled;
import org.openledger.events.ChainPosition;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.domain.SettlementWindows;

/**
 * The first difference between a recomputed batch and the chain's: any single changed amount is
 * named with its payee and both amounts, whatever the batch; an honest batch has none.
 */
class SettledCheckTest {

  @Property(tries = 200)
  void shouldNameTheChangedPayeeWhenOneAmountWasTampered(
      @ForAll("payees") List<String> payees,
      @ForAll @IntRange(min = 0, max = 19) int which,
      @ForAll @LongRange(min = 1, max = 1_000_000) long delta) {
    int i = which % payees.size();
    List<BigInteger> amounts = new ArrayList<>();
    for (int k = 0; k < payees.size(); k++) {
      amounts.add(BigInteger.valueOf(1_000_000L * (k + 1)));
    }
    PayoutBatcher.Batch expected = batch(payees, amounts);
    List<BigInteger> paid = new ArrayList<>(amounts);
    paid.set(i, paid.get(i).add(BigInteger.valueOf(delta)));

    assertThat(SettledCheck.firstDifference(expected, settled(expected, payees, paid)))
        .contains(
            "payee "
                + payees.get(i)
                + ": expected "
                + amounts.get(i)
                + " wei, on chain "
                + paid.get(i)
                + " wei");
  }

  @Property(tries = 100)
  void shouldFindNoDifferenceWhenTheChainPaidTheRecomputedBatch(
      @ForAll("payees") List<String> payees) {
    List<BigInteger> amounts = new ArrayList<>();
    payees.forEach(p -> amounts.add(BigInteger.valueOf(p.hashCode() & 0xffff)));
    PayoutBatcher.Batch expected = batch(payees, amounts);

    assertThat(SettledCheck.firstDifference(expected, settled(expected, payees, amounts)))
        .isEmpty();
  }

  @Test
  void shouldCountAPayeeMissingOnChainAsPaidZero() {
    List<String> payees = List.of(address(1), address(2));
    List<BigInteger> amounts = List.of(BigInteger.TEN, BigInteger.ONE);
    PayoutBatcher.Batch expected = batch(payees, amounts);

    assertThat(
            SettledCheck.firstDifference(
                expected, settled(expected, List.of(address(1)), List.of(BigInteger.TEN))))
        .contains("payee " + address(2) + ": expected 1 wei, on chain 0 wei");
  }

  @Provide
  Arbitrary<List<String>> payees() {
    return Arbitraries.integers()
        .between(1, 5000)
        .set()
        .ofMinSize(1)
        .ofMaxSize(20)
        .map(
            ids ->
                new ArrayList<>(
                    new TreeSet<>(ids.stream().map(SettledCheckTest::address).toList())));
  }

  private static String address(int n) {
    return String.format("0x%040x", n);
  }

  private static PayoutBatcher.Batch batch(List<String> payees, List<BigInteger> amounts) {
    BigInteger total = amounts.stream().reduce(BigInteger.ZERO, BigInteger::add);
    return new PayoutBatcher.Batch(
        "0x" + "01".repeat(32),
        1,
        new SettlementWindows.Window(0, 9),
        0,
        1,
        List.copyOf(payees),
        List.copyOf(amounts),
        total,
        "0x" + "02".repeat(32),
        List.of(),
        List.of());
  }

  private static BatchSettled settled(
      PayoutBatcher.Batch expected, List<String> payees, List<BigInteger> amounts) {
    return BatchSettled.newBuilder()
        .setPosition(
            ChainPosition.newBuilder()
                .setChainId(1)
                .setBlockNumber(20)
                .setBlockHash("0x" + "03".repeat(32))
                .setBlockTimestamp(0)
                .setTxHash("0x" + "04".repeat(32))
                .setLogIndex(0)
                .build())
        .setBatchId(expected.batchId())
        .setAttributionRoot(expected.merkleRoot())
        .setTotal(new BigDecimal(amounts.stream().reduce(BigInteger.ZERO, BigInteger::add)))
        .setPayees(List.copyOf(payees))
        .setAmounts(amounts.stream().map(BigDecimal::new).toList())
        .build();
  }
}
