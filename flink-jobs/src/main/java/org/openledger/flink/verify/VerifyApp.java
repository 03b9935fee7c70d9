package org.openledger.flink.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * {@code bin/openledger verify}: for one payee ({@code --payee ADDR [--batch ID]}), every batch
 * that paid them, their amount, the inferences that earned it, and a Merkle proof of each accrual;
 * for one inference ({@code --inference ID}), what each payee accrued and the proof of each (see
 * {@link InferenceVerifier}). Leaves come from ClickHouse or, with {@code --from kafka}, the
 * topics; roots, fees and amounts from the chain itself, which is all a proof trusts. Exit status 1
 * on any failed check, 64 on a usage error, 2 when a store does not answer.
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
  // The loader's keys: verify reads the tables the loader writes.
  static final ConfigKey<String> CLICKHOUSE =
      ConfigKey.string("clickhouse.url", "http://127.0.0.1:8123", "ClickHouse HTTP endpoint");
  static final ConfigKey<String> DATABASE =
      ConfigKey.string("clickhouse.database", "openledger", "the database the tables live in");

  private VerifyApp() {}

  public static void main(String[] args) throws Exception {
    VerifyArgs a;
    try {
      a = VerifyArgs.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("verify: " + e.getMessage());
      System.exit(64);
      return;
    }
    ConfigSource config = ConfigSource.of(System.getenv(), Optional.empty());
    config.validate(List.of(KAFKA, REGISTRY, RPC, DEPLOYMENT, PREFIX, CLICKHOUSE, DATABASE));
    JsonNode deployment = new ObjectMapper().readTree(Path.of(config.get(DEPLOYMENT)).toFile());
    String settlement = deployment.at("/contracts/Settlement/address").asText();
    ChainReader chain = new ChainReader(URI.create(config.get(RPC)));
    int failures;
    try (LeafSource source = source(a.from(), config)) {
      if (a.inference() >= 0) {
        String market = deployment.at("/contracts/InferenceMarket/address").asText();
        Map<String, List<PayoutBatchLeaf>> batches = source.batchesOfInference(a.inference());
        Map<String, ChainReader.Settled> onChain = new LinkedHashMap<>();
        for (String batch : batches.keySet()) {
          chain.settled(settlement, batch).forEach(s -> onChain.put(s.batchId(), s));
        }
        failures =
            new InferenceVerifier(System.out)
                .verify(
                    a.inference(),
                    chain.inferencePaid(market, a.inference()),
                    source.accruals(a.inference()),
                    batches,
                    onChain);
      } else {
        Map<String, List<PayoutBatchLeaf>> leaves = source.batchesOfPayee(a.payee(), a.batch());
        Map<String, ChainReader.Settled> onChain = new LinkedHashMap<>();
        for (ChainReader.Settled s : chain.settled(settlement, a.batch())) {
          onChain.put(s.batchId(), s);
        }
        failures = new Verifier(System.out).verify(a.payee(), a.batch(), leaves, onChain);
      }
    } catch (java.io.IOException | java.util.concurrent.ExecutionException e) {
      System.err.printf(
          "verify: %s did not answer: %s%n",
          a.from().equals("kafka") ? "Kafka" : "ClickHouse at " + config.get(CLICKHOUSE),
          e.getMessage());
      if (a.from().equals("clickhouse")) {
        System.err.println("  (is the loader's ClickHouse up? or read the topics: --from kafka)");
      }
      System.exit(2);
      return;
    }
    System.exit(failures == 0 ? 0 : 1);
  }

  private static LeafSource source(String from, ConfigSource config) {
    return from.equals("kafka")
        ? new KafkaLeafSource(
            config.get(KAFKA), URI.create(config.get(REGISTRY)), config.get(PREFIX))
        : new ClickHouseLeafSource(config.get(CLICKHOUSE), config.get(DATABASE));
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

  /** A leaf as the domain's {@link PayoutLeaf}, whose hash is the one the tree is built from. */
  static PayoutLeaf leaf(PayoutBatchLeaf l) {
    return new PayoutLeaf(
        l.getPayee(),
        l.getInferenceId(),
        PayoutLeaf.PayeeRole.valueOf(l.getRole().name()),
        l.getContributionId(),
        l.getUnattributed(),
        l.getAmount().toBigIntegerExact());
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
  }
}
