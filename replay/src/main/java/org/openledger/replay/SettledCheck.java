package org.openledger.replay;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.openledger.events.BatchSettled;
import org.openledger.flink.domain.PayoutBatcher;

/**
 * Compares one batch the chain paid ({@code BatchSettled}) with the batch replay recomputed under
 * the same id, and names the first difference: a payee's amount first (payees in address order, the
 * batcher's order; a payee missing on one side counts as 0), then the total, the payees' order and
 * the Merkle root. Pure, so the verdict of a tampered batch is unit-testable. {@code replay} checks
 * settled batches with it, {@code watch} proposals.
 */
final class SettledCheck {

  private SettledCheck() {}

  /** Empty when the batches agree in every payee, amount, total and root. */
  static Optional<String> firstDifference(PayoutBatcher.Batch expected, BatchSettled onChain) {
    return firstDifference(
        expected,
        onChain.getPayees(),
        onChain.getAmounts().stream().map(a -> a.toBigIntegerExact()).toList(),
        onChain.getTotal().toBigIntegerExact(),
        onChain.getAttributionRoot());
  }

  /**
   * The same comparison against any batch on chain given by its parts: a settled one, or a proposal
   * {@code watch} judges before it pays ({@code BatchProposed}).
   */
  static Optional<String> firstDifference(
      PayoutBatcher.Batch expected,
      List<String> payees,
      List<BigInteger> amounts,
      BigInteger total,
      String root) {
    Map<String, BigInteger> want = amounts(expected.payees(), expected.amounts());
    List<String> paidPayees = payees.stream().map(SettledCheck::lower).toList();
    if (paidPayees.size() != amounts.size()) {
      return Optional.of(paidPayees.size() + " payees but " + amounts.size() + " amounts on chain");
    }
    Map<String, BigInteger> paid = amounts(paidPayees, amounts);
    TreeSet<String> everyone = new TreeSet<>(want.keySet());
    everyone.addAll(paid.keySet());
    for (String payee : everyone) {
      BigInteger a = want.getOrDefault(payee, BigInteger.ZERO);
      BigInteger b = paid.getOrDefault(payee, BigInteger.ZERO);
      if (!a.equals(b)) {
        return Optional.of("payee " + payee + ": expected " + a + " wei, on chain " + b + " wei");
      }
    }
    if (!expected.total().equals(total)) {
      return Optional.of("total: expected " + expected.total() + " wei, on chain " + total);
    }
    if (!expected.payees().equals(paidPayees)) {
      return Optional.of("payees in another order than the batcher's (address order)");
    }
    String onChainRoot = lower(root);
    if (!lower(expected.merkleRoot()).equals(onChainRoot)) {
      return Optional.of(
          "attribution root: expected " + expected.merkleRoot() + ", on chain " + onChainRoot);
    }
    return Optional.empty();
  }

  /** A batch that moves no money: total and every amount 0 (nothing to check, nothing lost). */
  static boolean paysNothing(BigInteger total, List<BigInteger> amounts) {
    return total.signum() == 0 && amounts.stream().allMatch(a -> a.signum() == 0);
  }

  private static Map<String, BigInteger> amounts(List<String> payees, List<BigInteger> amounts) {
    Map<String, BigInteger> out = new HashMap<>();
    for (int i = 0; i < payees.size(); i++) {
      out.merge(lower(payees.get(i)), amounts.get(i), BigInteger::add);
    }
    return out;
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
