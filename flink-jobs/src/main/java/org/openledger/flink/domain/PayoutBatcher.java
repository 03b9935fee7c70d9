package org.openledger.flink.domain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Closes one settlement window: adds the window's accruals to what earlier windows carried, pays
 * every payee whose total reaches the minimum payout and carries the others forward. Payees are
 * sorted by address and cut into sub-batches of at most {@code maxPayees}; each sub-batch's id
 * comes from (chain id, window, sub-batch index) and its root from its payees' leaves, so the same
 * log always gives the same batches.
 */
public final class PayoutBatcher {

  /**
   * One settlement transaction's worth of payouts. {@code leafHashes} (0x hex, parallel to {@code
   * leaves}) are the hashes the root was built from, kept so the batch-leaves sink need not hash
   * every leaf a second time.
   */
  public record Batch(
      String batchId,
      long chainId,
      SettlementWindows.Window window,
      int subBatch,
      int subBatchCount,
      List<String> payees,
      List<BigInteger> amounts,
      BigInteger total,
      String merkleRoot,
      List<PayoutLeaf> leaves,
      List<String> leafHashes) {}

  /** What closing a window gives: its batches and the leaves carried to the next window. */
  public record Closing(List<Batch> batches, Map<String, List<PayoutLeaf>> carried) {}

  private PayoutBatcher() {}

  public static Closing close(
      long chainId,
      SettlementWindows.Window window,
      List<PayoutLeaf> accrued,
      Map<String, List<PayoutLeaf>> carry,
      BigInteger minPayout,
      int maxPayees) {
    if (maxPayees <= 0) {
      throw new IllegalArgumentException("maxPayees must be positive: " + maxPayees);
    }
    TreeMap<String, List<PayoutLeaf>> byPayee = new TreeMap<>();
    carry.forEach(
        (payee, leaves) -> byPayee.computeIfAbsent(payee, p -> new ArrayList<>()).addAll(leaves));
    for (PayoutLeaf leaf : accrued) {
      byPayee.computeIfAbsent(leaf.payee(), p -> new ArrayList<>()).add(leaf);
    }
    TreeMap<String, List<PayoutLeaf>> carried = new TreeMap<>();
    List<String> paid = new ArrayList<>();
    for (Map.Entry<String, List<PayoutLeaf>> e : byPayee.entrySet()) {
      BigInteger total = sum(e.getValue());
      if (total.signum() == 0) {
        continue; // nothing owed: a zero leaf is never paid nor carried
      }
      if (total.compareTo(minPayout) < 0) {
        carried.put(e.getKey(), List.copyOf(e.getValue()));
      } else {
        paid.add(e.getKey());
      }
    }
    int count = (paid.size() + maxPayees - 1) / maxPayees;
    List<Batch> batches = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      List<String> payees = paid.subList(i * maxPayees, Math.min(paid.size(), (i + 1) * maxPayees));
      List<BigInteger> amounts = new ArrayList<>(payees.size());
      List<PayoutLeaf> leaves = new ArrayList<>();
      List<byte[]> hashes = new ArrayList<>();
      List<String> hexes = new ArrayList<>();
      BigInteger total = BigInteger.ZERO;
      for (String payee : payees) {
        List<PayoutLeaf> own = byPayee.get(payee);
        BigInteger amount = sum(own);
        amounts.add(amount);
        total = total.add(amount);
        leaves.addAll(own);
        for (PayoutLeaf l : own) {
          byte[] hash = l.hash();
          hashes.add(hash);
          hexes.add(Abi.hex(hash));
        }
      }
      batches.add(
          new Batch(
              batchId(chainId, window, i),
              chainId,
              window,
              i,
              count,
              List.copyOf(payees),
              List.copyOf(amounts),
              total,
              MerkleTree.of(hashes).rootHex(),
              List.copyOf(leaves),
              List.copyOf(hexes)));
    }
    return new Closing(List.copyOf(batches), carried);
  }

  /**
   * {@code keccak256(abi.encode(uint256 chainId, uint256 start, uint256 end, uint256 subBatch))}.
   */
  public static String batchId(long chainId, SettlementWindows.Window window, int subBatch) {
    return Keccak.hex(
        Abi.encode()
            .uint256(chainId)
            .uint256(window.start())
            .uint256(window.end())
            .uint256(subBatch)
            .bytes());
  }

  static BigInteger sum(List<PayoutLeaf> leaves) {
    BigInteger s = BigInteger.ZERO;
    for (PayoutLeaf l : leaves) {
      s = s.add(l.amount());
    }
    return s;
  }
}
