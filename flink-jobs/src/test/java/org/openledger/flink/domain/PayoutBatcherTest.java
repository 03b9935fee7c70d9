package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Closing a window: minimum payout carry-over, sub-batches, ids and roots. */
class PayoutBatcherTest {

  private static final SettlementWindows.Window W = new SettlementWindows.Window(10, 19);

  private static String address(int i) {
    return String.format("0x%040x", i);
  }

  private static PayoutLeaf leaf(int payee, long inference, long amount) {
    return new PayoutLeaf(
        address(payee),
        inference,
        PayoutLeaf.PayeeRole.CONTRIBUTOR,
        inference * 100 + payee,
        false,
        BigInteger.valueOf(amount));
  }

  @Test
  void shouldCarryPayeesUnderTheMinimumToTheNextWindow() {
    PayoutBatcher.Closing first =
        PayoutBatcher.close(
            1337, W, List.of(leaf(1, 1, 5), leaf(2, 1, 50)), Map.of(), BigInteger.TEN, 200);
    assertThat(first.batches()).hasSize(1);
    assertThat(first.batches().get(0).payees()).containsExactly(address(2));
    assertThat(first.carried()).containsOnlyKeys(address(1));

    PayoutBatcher.Closing second =
        PayoutBatcher.close(
            1337,
            new SettlementWindows.Window(20, 29),
            List.of(leaf(1, 2, 5)),
            first.carried(),
            BigInteger.TEN,
            200);
    PayoutBatcher.Batch batch = second.batches().get(0);
    assertThat(batch.payees()).containsExactly(address(1));
    assertThat(batch.amounts()).containsExactly(BigInteger.TEN);
    assertThat(batch.leaves()).hasSize(2);
    assertThat(second.carried()).isEmpty();
  }

  @Test
  void shouldSplitAWindowIntoNumberedSubBatchesOfSortedPayees() {
    List<PayoutLeaf> leaves = new ArrayList<>();
    for (int p = 5; p >= 1; p--) {
      leaves.add(leaf(p, 1, p));
    }
    PayoutBatcher.Closing closing =
        PayoutBatcher.close(1337, W, leaves, Map.of(), BigInteger.ONE, 2);
    assertThat(closing.batches()).hasSize(3);
    assertThat(closing.batches().get(0).payees()).containsExactly(address(1), address(2));
    assertThat(closing.batches().get(2).payees()).containsExactly(address(5));
    assertThat(closing.batches()).allMatch(b -> b.subBatchCount() == 3);
    assertThat(closing.batches().stream().map(PayoutBatcher.Batch::batchId).distinct()).hasSize(3);
    assertThat(closing.batches().get(1).batchId())
        .isEqualTo(PayoutBatcher.batchId(1337, W, 1))
        .isNotEqualTo(PayoutBatcher.batchId(1338, W, 1));
  }

  @Test
  void shouldNeitherPayNorCarryAZeroTotal() {
    PayoutBatcher.Closing closing =
        PayoutBatcher.close(1337, W, List.of(leaf(1, 1, 0)), Map.of(), BigInteger.ONE, 2);
    assertThat(closing.batches()).isEmpty();
    assertThat(closing.carried()).isEmpty();
  }

  @Property(tries = 200)
  void shouldPayOrCarryEveryWeiWhateverTheOrder(
      @ForAll @IntRange(min = 0, max = 300) int n,
      @ForAll @IntRange(min = 1, max = 50) int maxPayees,
      @ForAll @IntRange(min = 0, max = 60) int minPayout,
      @ForAll long seed) {
    Random random = new Random(seed);
    List<PayoutLeaf> leaves = new ArrayList<>();
    BigInteger accrued = BigInteger.ZERO;
    for (int i = 0; i < n; i++) {
      PayoutLeaf l = leaf(1 + random.nextInt(40), i, random.nextInt(30));
      leaves.add(l);
      accrued = accrued.add(l.amount());
    }
    BigInteger min = BigInteger.valueOf(minPayout);
    PayoutBatcher.Closing a = PayoutBatcher.close(1337, W, leaves, Map.of(), min, maxPayees);
    Collections.shuffle(leaves, random);
    PayoutBatcher.Closing b = PayoutBatcher.close(1337, W, leaves, Map.of(), min, maxPayees);

    BigInteger paid = BigInteger.ZERO;
    for (PayoutBatcher.Batch batch : a.batches()) {
      assertThat(batch.payees()).isSorted().hasSizeLessThanOrEqualTo(maxPayees);
      assertThat(batch.amounts()).allMatch(x -> x.compareTo(min) >= 0 && x.signum() > 0);
      assertThat(PayoutBatcher.sum(batch.leaves())).isEqualTo(batch.total());
      paid = paid.add(batch.total());
    }
    BigInteger carried = BigInteger.ZERO;
    for (List<PayoutLeaf> own : a.carried().values()) {
      assertThat(PayoutBatcher.sum(own)).isLessThan(min);
      carried = carried.add(PayoutBatcher.sum(own));
    }
    assertThat(paid.add(carried)).isEqualTo(accrued);
    assertThat(b.batches().stream().map(x -> x.batchId() + x.merkleRoot() + x.amounts()))
        .containsExactlyElementsOf(
            a.batches().stream().map(x -> x.batchId() + x.merkleRoot() + x.amounts()).toList());
  }
}
