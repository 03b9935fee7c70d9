package org.openledger.flink.verify;

import java.io.PrintStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openledger.flink.domain.Abi;
import org.openledger.flink.domain.MerkleTree;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.pipeline.PayoutBatchLeaf;

/**
 * {@code verify --inference ID}: what every payee of one inference was paid, each accrual's leaf
 * and its Merkle proof checked against the root the chain recorded in {@code BatchSettled}, and the
 * accruals summed against the fee the chain recorded in {@code InferencePaid}. Leaves and accruals
 * come from a {@link LeafSource}; only the chain is trusted, so a leaf that does not prove is a
 * FAIL.
 */
final class InferenceVerifier {

  /** The fee of an inference as {@code InferencePaid} recorded it. */
  record Paid(BigInteger fee, long block, String txHash) {}

  private final PrintStream out;

  InferenceVerifier(PrintStream out) {
    this.out = out;
  }

  /** Prints the receipt of {@code inference}; returns the number of failed checks. */
  int verify(
      long inference,
      Paid paid,
      List<PayoutLeaf> accruals,
      Map<String, List<PayoutBatchLeaf>> batches,
      Map<String, ChainReader.Settled> onChain) {
    int failures = 0;
    out.printf("inference %d%n", inference);
    Map<PayoutLeaf.PayeeRole, BigInteger> byRole = new EnumMap<>(PayoutLeaf.PayeeRole.class);
    for (PayoutLeaf.PayeeRole r : PayoutLeaf.PayeeRole.values()) {
      byRole.put(r, BigInteger.ZERO);
    }
    accruals.forEach(a -> byRole.merge(a.role(), a.amount(), BigInteger::add));
    BigInteger accrued = byRole.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
    if (paid == null) {
      out.println("  fee on chain     FAIL: no InferencePaid for this id");
      failures++;
    } else {
      out.printf(
          "  fee on chain     %s wei (InferencePaid in block %d, tx %s)%n",
          paid.fee(), paid.block(), paid.txHash());
    }
    boolean splitOk = paid != null && paid.fee().equals(accrued);
    out.printf(
        "  accrued          %s contributors + %s owner + %s protocol = %s wei %s%n",
        byRole.get(PayoutLeaf.PayeeRole.CONTRIBUTOR),
        byRole.get(PayoutLeaf.PayeeRole.MODEL_OWNER),
        byRole.get(PayoutLeaf.PayeeRole.PROTOCOL),
        accrued,
        splitOk ? "= the fee" : "FAIL: not the fee");
    failures += splitOk ? 0 : 1;

    // Each batch's tree, rebuilt from its leaves; its root is checked, not trusted.
    Map<String, MerkleTree> trees = new HashMap<>();
    Map<String, String> batchOf = new HashMap<>();
    for (Map.Entry<String, List<PayoutBatchLeaf>> e : batches.entrySet()) {
      List<byte[]> hashes = new ArrayList<>();
      for (PayoutBatchLeaf l : e.getValue()) {
        byte[] hash = VerifyApp.leaf(l).hash();
        hashes.add(hash);
        if (l.getInferenceId() == inference) {
          batchOf.put(Abi.hex(hash), e.getKey());
        }
      }
      trees.put(e.getKey(), MerkleTree.of(hashes));
    }
    BigInteger proven = BigInteger.ZERO;
    BigInteger pending = BigInteger.ZERO;
    for (PayoutLeaf a : accruals) {
      byte[] hash = a.hash();
      String batch = batchOf.remove(Abi.hex(hash));
      out.printf("  %s%n", describe(a));
      if (batch == null) {
        out.println("      in no batch yet (pending)");
        pending = pending.add(a.amount());
        continue;
      }
      ChainReader.Settled s = onChain.get(batch);
      if (s == null) {
        out.printf("      batch %s, not settled on chain yet (pending)%n", batch);
        pending = pending.add(a.amount());
        continue;
      }
      List<byte[]> proof = trees.get(batch).proof(hash);
      boolean ok = MerkleTree.verify(proof, Abi.bytes(s.root(), 32, "root"), hash);
      out.printf(
          "      batch %s, BatchSettled in block %d: %s%n",
          batch,
          s.block(),
          ok ? "proven against its root " + s.root() : "FAIL: proof does not reach " + s.root());
      out.printf("      leaf %s proof [%s]%n", Abi.hex(hash), hex(proof));
      if (ok) {
        proven = proven.add(a.amount());
      } else {
        failures++;
      }
    }
    for (Map.Entry<String, String> orphan : batchOf.entrySet()) {
      out.printf(
          "  FAIL leaf %s of batch %s pays this inference but matches no accrual%n",
          orphan.getKey(), orphan.getValue());
      failures++;
    }
    out.printf(
        "inference %d: %s wei accrued, %s wei settled and proven, %s wei pending; %s%n",
        inference,
        accrued,
        proven,
        pending,
        failures == 0 ? "every check passed" : failures + " checks FAILED");
    return failures;
  }

  /** One accrual as a receipt line: role, payee, contribution, amount. */
  static String describe(PayoutLeaf a) {
    String what =
        switch (a.role()) {
          case CONTRIBUTOR ->
              "contributor " + a.payee() + " (contribution " + a.contributionId() + ")";
          case MODEL_OWNER -> "model owner " + a.payee();
          case PROTOCOL -> "protocol    " + a.payee() + (a.unattributed() ? " (unattributed)" : "");
        };
    return what + "  " + a.amount() + " wei";
  }

  private static String hex(List<byte[]> proof) {
    return String.join(", ", proof.stream().map(Abi::hex).toList());
  }
}
