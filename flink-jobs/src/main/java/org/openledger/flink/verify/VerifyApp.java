package org.openledger.flink.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.openledger.config.ConfigKey;
import org.openledger.config.ConfigSource;
import org.openledger.flink.domain.Abi;
import org.openledger.flink.domain.MerkleTree;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.pipeline.PayoutBatchLeaf;
import org.openledger.schemas.Topics;

/**
 * {@code bin/openledger verify --payee ADDR [--batch ID]}: for one payee, every batch that paid
 * them, their amount, the inferences that earned it, and a Merkle proof of each accrual checked
 * against the root the chain recorded in {@code BatchSettled}. Leaves come from {@code
 * payout.batch-leaves}; roots and amounts from the chain itself. Exit status 1 on any mismatch.
 */
public final class VerifyApp {

  static final ConfigKey<String> KAFKA =
      ConfigKey.string("kafka.bootstrap", "127.0.0.1:9092", "Kafka bootstrap servers");
  static final ConfigKey<String> REGISTRY =
      ConfigKey.string(
          "registry.url", "http://127.0.0.1:8085/apis/ccompat/v7", "Confluent-API schema registry");
  static final ConfigKey<String> RPC =
      ConfigKey.string("evm.rpc.url", "http://127.0.0.1:8545", "JSON-RPC URL of the EVM node");
  static final ConfigKey<String> DEPLOYMENT =
      ConfigKey.string("deployment.file", ".run/deployment.json", "the deployed contracts");
  static final ConfigKey<String> PREFIX =
      new ConfigKey<>(
          "topic.prefix", "", "prefix of every topic name", String::trim, v -> true, "");

  private VerifyApp() {}

  public static void main(String[] args) throws Exception {
    String payee = null;
    String batch = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--payee" -> payee = args[i + 1].toLowerCase(Locale.ROOT);
        case "--batch" -> batch = args[i + 1].toLowerCase(Locale.ROOT);
        default -> {
          System.err.println("usage: verify --payee ADDR [--batch ID]");
          System.exit(64);
        }
      }
    }
    if (payee == null || !payee.matches("0x[0-9a-f]{40}")) {
      System.err.println("usage: verify --payee ADDR [--batch ID]   (ADDR: 0x + 40 hex)");
      System.exit(64);
    }
    ConfigSource config = ConfigSource.of(System.getenv(), Optional.empty());
    config.validate(List.of(KAFKA, REGISTRY, RPC, DEPLOYMENT, PREFIX));
    String settlement =
        new ObjectMapper()
            .readTree(Path.of(config.get(DEPLOYMENT)).toFile())
            .at("/contracts/Settlement/address")
            .asText();
    Map<String, List<PayoutBatchLeaf>> leaves =
        leaves(
            config.get(KAFKA),
            URI.create(config.get(REGISTRY)),
            config.get(PREFIX) + Topics.PAYOUT_BATCH_LEAVES.name());
    Map<String, ChainReader.Settled> onChain = new LinkedHashMap<>();
    for (ChainReader.Settled s :
        new ChainReader(URI.create(config.get(RPC))).settled(settlement, batch)) {
      onChain.put(s.batchId(), s);
    }
    int failures = new Verifier(System.out).verify(payee, batch, leaves, onChain);
    System.exit(failures == 0 ? 0 : 1);
  }

  /** Every leaf of every batch, grouped by batch in topic order. */
  static Map<String, List<PayoutBatchLeaf>> leaves(String bootstrap, URI registry, String topic) {
    Map<String, List<PayoutBatchLeaf>> out = new LinkedHashMap<>();
    for (PayoutBatchLeaf leaf :
        TopicReader.all(
            bootstrap,
            registry,
            Topics.PAYOUT_BATCH_LEAVES.withName(topic),
            PayoutBatchLeaf.class)) {
      out.computeIfAbsent(leaf.getBatchId(), k -> new ArrayList<>()).add(leaf);
    }
    return out;
  }

  /** The checks and the report, apart from Kafka and the node so tests can feed them. */
  static final class Verifier {
    private final PrintStream out;

    Verifier(PrintStream out) {
      this.out = out;
    }

    int verify(
        String payee,
        String onlyBatch,
        Map<String, List<PayoutBatchLeaf>> leaves,
        Map<String, ChainReader.Settled> onChain) {
      int failures = 0;
      int batches = 0;
      BigInteger settledTotal = BigInteger.ZERO;
      BigInteger pendingTotal = BigInteger.ZERO;
      for (Map.Entry<String, List<PayoutBatchLeaf>> e : leaves.entrySet()) {
        if (onlyBatch != null && !onlyBatch.equals(e.getKey())) {
          continue;
        }
        List<PayoutBatchLeaf> own =
            e.getValue().stream().filter(l -> l.getPayee().equals(payee)).toList();
        if (own.isEmpty()) {
          continue;
        }
        batches++;
        BigInteger amount = BigInteger.ZERO;
        for (PayoutBatchLeaf l : own) {
          amount = amount.add(l.getAmount().toBigIntegerExact());
        }
        out.printf("batch %s%n", e.getKey());
        out.printf("  your amount      %s wei from %d accruals:%n", amount, own.size());
        for (PayoutBatchLeaf l : own.subList(0, Math.min(own.size(), 12))) {
          out.printf(
              "    inference %-6d %-11s%s %s wei%n",
              l.getInferenceId(),
              l.getRole(),
              l.getRole().name().equals("CONTRIBUTOR")
                  ? " contribution " + l.getContributionId()
                  : "",
              l.getAmount().toBigIntegerExact());
        }
        if (own.size() > 12) {
          out.printf("    ... and %d more%n", own.size() - 12);
        }
        ChainReader.Settled s = onChain.get(e.getKey());
        if (s == null) {
          out.println("  on chain         not settled yet (pending)");
          pendingTotal = pendingTotal.add(amount);
          continue;
        }
        out.printf("  on chain         BatchSettled in block %d, tx %s%n", s.block(), s.txHash());
        failures += check(payee, e.getValue(), own, amount, s);
        settledTotal = settledTotal.add(amount);
      }
      if (batches == 0) {
        out.printf("no batch pays %s yet%n", payee);
      }
      out.printf(
          "%s: %d batches, %s wei settled and proven, %s wei pending; %s%n",
          payee,
          batches,
          settledTotal,
          pendingTotal,
          failures == 0 ? "every check passed" : failures + " checks FAILED");
      return failures;
    }

    private int check(
        String payee,
        List<PayoutBatchLeaf> all,
        List<PayoutBatchLeaf> own,
        BigInteger amount,
        ChainReader.Settled s) {
      int failures = 0;
      List<byte[]> hashes = new ArrayList<>();
      for (PayoutBatchLeaf l : all) {
        byte[] hash = leaf(l).hash();
        if (!Abi.hex(hash).equals(l.getLeafHash())) {
          out.printf(
              "  FAIL leaf of inference %d does not hash to its leafHash%n", l.getInferenceId());
          failures++;
        }
        hashes.add(hash);
      }
      MerkleTree tree = MerkleTree.of(hashes);
      byte[] root = Abi.bytes(s.root(), 32, "root");
      boolean rootOk = tree.rootHex().equals(s.root());
      out.printf(
          "  root             %s %s%n",
          s.root(), rootOk ? "= rebuilt from the leaves" : "FAIL: leaves give " + tree.rootHex());
      failures += rootOk ? 0 : 1;
      int proven = 0;
      List<byte[]> example = null;
      for (PayoutBatchLeaf l : own) {
        byte[] hash = leaf(l).hash();
        List<byte[]> proof = tree.proof(hash);
        if (MerkleTree.verify(proof, root, hash)) {
          proven++;
          example = example == null ? proof : example;
        }
      }
      out.printf(
          "  proofs           %d of %d accruals proven against the on-chain root%n",
          proven, own.size());
      failures += own.size() - proven;
      int at = s.payees().indexOf(payee);
      BigInteger paid = at < 0 ? BigInteger.ZERO : s.amounts().get(at);
      boolean amountOk = paid.equals(amount);
      out.printf(
          "  paid on chain    %s wei %s%n",
          paid, amountOk ? "= the sum of your accruals" : "FAIL: accruals sum to " + amount);
      failures += amountOk ? 0 : 1;
      if (example != null) {
        out.printf(
            "  proof of inference %d (MerkleProof.verify): [%s]%n",
            own.get(0).getInferenceId(),
            String.join(", ", example.stream().map(Abi::hex).toList()));
      }
      return failures;
    }

    private static PayoutLeaf leaf(PayoutBatchLeaf l) {
      return new PayoutLeaf(
          l.getPayee(),
          l.getInferenceId(),
          PayoutLeaf.PayeeRole.valueOf(l.getRole().name()),
          l.getContributionId(),
          l.getUnattributed(),
          l.getAmount().toBigIntegerExact());
    }
  }
}
