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
 * the Merkle root. Pure, so the verdict of a tampered batch is unit-testable.
 */
final class SettledCheck {

  private SettledCheck() {}

  /** Empty when the batches agree in every payee, amount, total and root. */
  static Optional<String> firstDifference(PayoutBatcher.Batch expected, BatchSettled onChain) {
    Map<String, BigInteger> want = amounts(expected.payees(), expected.amounts());
    List<String> paidPayees = onChain.getPayees().stream().map(SettledCheck::lower).toList();
    List<BigInteger> paidAmounts =
        onChain.getAmounts().stream().map(a -> a.toBigIntegerExact()).toList();
    if (paidPayees.size() != paidAmounts.size()) {
      return Optional.of(
          paidPayees.size() + " payees but " + paidAmounts.size() + " amounts on chain");
    }
    Map<String, BigInteger> paid = amounts(paidPayees, paidAmounts);
    TreeSet<String> everyone = new TreeSet<>(want.keySet());
    everyone.addAll(paid.keySet());
    for (String payee : everyone) {
      BigInteger a = want.getOrDefault(payee, BigInteger.ZERO);
      BigInteger b = paid.getOrDefault(payee, BigInteger.ZERO);
      if (!a.equals(b)) {
        return Optional.of("payee " + payee + ": expected " + a + " wei, on chain " + b + " wei");
      }
    }
    BigInteger total = onChain.getTotal().toBigIntegerExact();
    if (!expected.total().equals(total)) {
      return Optional.of("total: expected " + expected.total() + " wei, on chain " + total);
    }
    if (!expected.payees().equals(paidPayees)) {
      return Optional.of("payees in another order than the batcher's (address order)");
    }
    String root = lower(onChain.getAttributionRoot());
    if (!lower(expected.merkleRoot()).equals(root)) {
      return Optional.of(
          "attribution root: expected " + expected.merkleRoot() + ", on chain " + root);
    }
    return Optional.empty();
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
