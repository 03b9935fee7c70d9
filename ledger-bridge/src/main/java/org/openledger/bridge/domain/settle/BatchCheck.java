package org.openledger.bridge.domain.settle;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * What the writer checks before it lets a batch near the chain: well-formed ids and payees, a
 * window and sub-batch the contract can take, a non-zero root, amounts that fit a uint256, a total
 * that is their sum. A batch that fails goes to the dead letters with the reason, never to {@code
 * settle}.
 */
public final class BatchCheck {

  private static final BigInteger UINT256 = BigInteger.ONE.shiftLeft(256);

  private BatchCheck() {}

  /** The block window [start, end] a batch pays, and which of its sub-batches it is. */
  public record Window(long start, long end, int subBatch, int subBatchCount) {}

  public static Optional<String> problem(
      String batchId,
      Window window,
      List<String> payees,
      List<BigInteger> amounts,
      BigInteger total,
      String root) {
    if (!isHex(batchId, 32)) {
      return Optional.of("batch id is not bytes32 hex: " + batchId);
    }
    if (!isHex(root, 32)) {
      return Optional.of("Merkle root is not bytes32 hex: " + root);
    }
    if (new BigInteger(root.substring(2), 16).signum() == 0) {
      return Optional.of("ZeroRoot: the Merkle root is zero");
    }
    if (window.start() < 0 || window.start() > window.end()) {
      return Optional.of(
          "InvalidWindow: [" + window.start() + ", " + window.end() + "] is no block window");
    }
    if (window.subBatch() < 0 || window.subBatch() >= window.subBatchCount()) {
      return Optional.of(
          "SubBatchOutOfRange: sub-batch " + window.subBatch() + " of " + window.subBatchCount());
    }
    if (payees.isEmpty()) {
      return Optional.of("batch " + batchId + " has no payees");
    }
    if (payees.size() != amounts.size()) {
      return Optional.of(payees.size() + " payees but " + amounts.size() + " amounts");
    }
    BigInteger sum = BigInteger.ZERO;
    for (int i = 0; i < payees.size(); i++) {
      String payee = payees.get(i);
      if (!isHex(payee, 20) || new BigInteger(payee.substring(2), 16).signum() == 0) {
        return Optional.of("payee " + i + " is not a non-zero 0x address: " + payee);
      }
      BigInteger amount = amounts.get(i);
      if (amount.signum() < 0 || amount.compareTo(UINT256) >= 0) {
        return Optional.of("amount " + i + " is not a uint256: " + amount);
      }
      sum = sum.add(amount);
    }
    if (!sum.equals(total)) {
      return Optional.of("total " + total + " is not the sum of the amounts " + sum);
    }
    return Optional.empty();
  }

  private static boolean isHex(String s, int bytes) {
    return s != null && s.length() == 2 + 2 * bytes && s.matches("0x[0-9a-fA-F]+");
  }
}
