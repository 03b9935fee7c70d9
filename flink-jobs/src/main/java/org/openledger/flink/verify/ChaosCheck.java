package org.openledger.flink.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.openledger.config.ConfigSource;
import org.openledger.events.ChainEvent;
import org.openledger.flink.domain.Keccak;
import org.openledger.pipeline.DeadLetter;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.pipeline.PayoutBatch;
import org.openledger.schemas.Topics;

/**
 * The chaos suite's end-of-run invariants, each checked against the chain as it finally stands
 * (after every reorg), never against what the workload meant to do: every fee accrued to the wei,
 * every emitted batch settled exactly once, every payee paid on chain exactly their accruals, and
 * every bad input in the dead-letter topic with its reason. Prints a table; exits 1 on a violation.
 */
public final class ChaosCheck {

  static final String INFERENCE_PAID =
      Keccak.hex(
          "InferencePaid(uint256,uint256,address,uint256,bytes32,string)"
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  static final String DATA_CONTRIBUTED =
      Keccak.hex(
          "DataContributed(uint256,uint256,address,bytes32,string,uint256)"
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  static final String TRANSFER =
      Keccak.hex(
          "Transfer(address,address,uint256)".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

  /** One invariant's outcome. */
  record Result(String invariant, boolean held, String detail) {}

  private ChaosCheck() {}

  public static void main(String[] args) throws Exception {
    Path badUris = null;
    Path malformed = null;
    URI balances = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--bad-uris" -> badUris = Path.of(args[i + 1]);
        case "--malformed" -> malformed = Path.of(args[i + 1]);
        case "--balances" -> balances = URI.create(args[i + 1]);
        default ->
            throw new IllegalArgumentException(
                "usage: ChaosCheck --bad-uris F --malformed F [--balances http://host:port]");
      }
    }
    ConfigSource config = ConfigSource.of(System.getenv(), Optional.empty());
    config.validate(
        List.of(
            VerifyApp.KAFKA,
            VerifyApp.REGISTRY,
            VerifyApp.RPC,
            VerifyApp.DEPLOYMENT,
            VerifyApp.PREFIX));
    JsonNode deployment =
        new ObjectMapper().readTree(Path.of(config.get(VerifyApp.DEPLOYMENT)).toFile());
    JsonNode contracts = deployment.get("contracts");
    ChainReader chain = new ChainReader(URI.create(config.get(VerifyApp.RPC)));
    String kafka = config.get(VerifyApp.KAFKA);
    URI registry = URI.create(config.get(VerifyApp.REGISTRY));
    String prefix = config.get(VerifyApp.PREFIX);

    // Accruals and InferencePaid logs are streamed into totals (per inference, per payee): an
    // hour at load is millions of accruals, more than the check's heap holds as records.
    AccrualTotals accrued = new AccrualTotals();
    TopicReader.forEach(
        kafka,
        registry,
        Topics.PAYOUT_ACCRUALS.withName(prefix + Topics.PAYOUT_ACCRUALS.name()),
        PayoutAccrual.class,
        accrued::add);
    List<PayoutBatch> batches =
        read(kafka, registry, prefix, Topics.PAYOUT_BATCHES, PayoutBatch.class);
    List<DeadLetter> deadLetters =
        read(kafka, registry, prefix, Topics.DEAD_LETTERS, DeadLetter.class);
    String settlement = contracts.at("/Settlement/address").asText();
    String settler = deployment.at("/roles/settler").asText();
    Map<Long, BigInteger> fees = new TreeMap<>();
    chain.forEachLog(
        contracts.at("/InferenceMarket/address").asText(),
        List.of(INFERENCE_PAID),
        log -> addFee(fees, log));
    List<Result> results = new ArrayList<>();
    results.add(feesAccrued(fees, accrued.perInference()));
    List<ChainReader.Settled> settled = chain.settled(settlement, null);
    results.add(settledOnce(settled, batches));
    // Only transfers out of the escrow or by the settler matter (not the payers' fees into it).
    List<Object> fromEscrowOrSettler = new ArrayList<>();
    fromEscrowOrSettler.add(TRANSFER);
    fromEscrowOrSettler.add(
        settler.isBlank()
            ? List.of(topicOf(settlement))
            : List.of(topicOf(settlement), topicOf(settler)));
    com.fasterxml.jackson.databind.node.ArrayNode transfers = new ObjectMapper().createArrayNode();
    chain.forEachLog(
        contracts.at("/OpenToken/address").asText(), fromEscrowOrSettler, transfers::add);
    results.add(paidAsAccrued(transfers, settlement, settler, accrued.perPayee()));
    results.add(
        badContentDeadLettered(
            chain.logs(contracts.at("/DatanetRegistry/address").asText(), DATA_CONTRIBUTED),
            lines(badUris),
            deadLetters));
    results.add(malformedDeadLettered(lines(malformed), deadLetters));
    DecoderChecks.OnceCounter once = new DecoderChecks.OnceCounter();
    TopicReader.forEach(
        kafka,
        registry,
        Topics.CHAIN_EVENTS.withName(prefix + Topics.CHAIN_EVENTS.name()),
        ChainEvent.class,
        once::add);
    results.add(once.result());
    if (balances != null) {
      results.add(balancesAsAccrued(balances, accrued.perPayee()));
    }
    boolean ok = true;
    for (Result r : results) {
      System.out.printf("  %-58s %-4s %s%n", r.invariant(), r.held() ? "pass" : "FAIL", r.detail());
      ok &= r.held();
    }
    System.exit(ok ? 0 : 1);
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(
      String kafka,
      URI registry,
      String prefix,
      org.openledger.schemas.Topic topic,
      Class<T> type) {
    return TopicReader.all(kafka, registry, topic.withName(prefix + topic.name()), type);
  }

  /** The balances API against the accruals, retried for up to a minute while the views catch up. */
  private static Result balancesAsAccrued(URI api, Map<String, BigInteger> accrued)
      throws InterruptedException {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    java.util.function.Function<String, Optional<BigInteger>> accruedOf =
        payee -> {
          try {
            var response =
                http.send(
                    java.net.http.HttpRequest.newBuilder(api.resolve("/balances/" + payee))
                        .timeout(java.time.Duration.ofSeconds(10))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200
                ? Optional.of(
                    new BigInteger(json.readTree(response.body()).get("accruedWei").asText()))
                : Optional.empty();
          } catch (java.io.IOException e) {
            return Optional.empty();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
          }
        };
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    Result r = DecoderChecks.balancesAsAccrued(accrued, accruedOf);
    while (!r.held() && System.nanoTime() < deadline) {
      Thread.sleep(2000);
      r = DecoderChecks.balancesAsAccrued(accrued, accruedOf);
    }
    return r;
  }

  private static List<String> lines(Path file) throws java.io.IOException {
    return file == null || !Files.exists(file)
        ? List.of()
        : Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  /**
   * Accruals summed per inference and per payee as they stream by, retractions applied (a
   * compensating record cancels its original); sums that come to zero are left out.
   */
  static final class AccrualTotals {
    private final Map<Long, BigInteger> perInference = new TreeMap<>();
    private final Map<String, BigInteger> perPayee = new TreeMap<>();

    void add(PayoutAccrual a) {
      BigInteger wei = a.getAmount().toBigIntegerExact();
      BigInteger signed = a.getRemoved() ? wei.negate() : wei;
      perInference.merge(a.getInferenceId(), signed, BigInteger::add);
      perPayee.merge(a.getPayee(), signed, BigInteger::add);
    }

    Map<Long, BigInteger> perInference() {
      return nonZero(perInference);
    }

    Map<String, BigInteger> perPayee() {
      return nonZero(perPayee);
    }

    static AccrualTotals of(List<PayoutAccrual> accruals) {
      AccrualTotals t = new AccrualTotals();
      accruals.forEach(t::add);
      return t;
    }

    private static <K> Map<K, BigInteger> nonZero(Map<K, BigInteger> sums) {
      Map<K, BigInteger> out = new TreeMap<>(sums);
      out.values().removeIf(v -> v.signum() == 0);
      return out;
    }
  }

  /** Accruals with retractions applied (a compensating record cancels its original). */
  static Map<Long, BigInteger> accruedPerInference(List<PayoutAccrual> accruals) {
    return AccrualTotals.of(accruals).perInference();
  }

  /** Adds an InferencePaid log's fee (its first data word) under its inference id. */
  static void addFee(Map<Long, BigInteger> fees, JsonNode log) {
    long id = new BigInteger(log.get("topics").get(1).asText().substring(2), 16).longValueExact();
    fees.merge(id, ChainReader.word(log, 0), BigInteger::add);
  }

  static Result feesAccrued(JsonNode paidLogs, List<PayoutAccrual> accruals) {
    Map<Long, BigInteger> fees = new TreeMap<>();
    paidLogs.forEach(log -> addFee(fees, log));
    return feesAccrued(fees, accruedPerInference(accruals));
  }

  /** Every fee on chain (per inference id) against what was accrued for it, to the wei. */
  static Result feesAccrued(Map<Long, BigInteger> fees, Map<Long, BigInteger> accrued) {
    BigInteger total = fees.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
    Set<Long> differ = new HashSet<>(fees.keySet());
    differ.addAll(accrued.keySet());
    differ.removeIf(id -> fees.getOrDefault(id, BigInteger.ZERO).equals(accrued.get(id)));
    return new Result(
        "every fee on chain accrued, to the wei, per inference",
        differ.isEmpty(),
        fees.size()
            + " inferences, "
            + total
            + " wei"
            + (differ.isEmpty() ? "" : "; differ: " + differ));
  }

  static Result settledOnce(List<ChainReader.Settled> settled, List<PayoutBatch> batches) {
    Map<String, Integer> times = new HashMap<>();
    settled.forEach(s -> times.merge(s.batchId(), 1, Integer::sum));
    Set<String> emitted = new HashSet<>();
    batches.forEach(b -> emitted.add(b.getBatchId()));
    List<String> problems = new ArrayList<>();
    times.forEach(
        (id, n) -> {
          if (n != 1) {
            problems.add(id + " settled " + n + " times");
          }
          if (!emitted.contains(id)) {
            problems.add(id + " settled but never emitted");
          }
        });
    emitted.forEach(
        id -> {
          if (!times.containsKey(id)) {
            problems.add(id + " emitted but not settled");
          }
        });
    return new Result(
        "every emitted batch settled on chain exactly once",
        problems.isEmpty(),
        emitted.size() + " batches" + (problems.isEmpty() ? "" : "; " + problems));
  }

  /**
   * Per payee, the token moved out of the escrow against what they accrued. The escrow also hands
   * the settler its proposal bonds back on each finalize (docs/PAYMENTS.md, "Optimistic
   * settlement"): net of the bonds the settler paid in, they are no payment.
   */
  static Result paidAsAccrued(
      JsonNode transfers, String escrow, String settler, List<PayoutAccrual> accruals) {
    return paidAsAccrued(transfers, escrow, settler, AccrualTotals.of(accruals).perPayee());
  }

  static Result paidAsAccrued(
      JsonNode transfers, String escrow, String settler, Map<String, BigInteger> accrued) {
    String escrowTopic = topicOf(escrow);
    String settlerTopic = settler.isBlank() ? "" : topicOf(settler);
    Map<String, BigInteger> paid = new TreeMap<>();
    for (JsonNode log : transfers) {
      String from = log.get("topics").get(1).asText();
      String to = log.get("topics").get(2).asText();
      if (from.equalsIgnoreCase(escrowTopic)) {
        paid.merge("0x" + to.substring(26), ChainReader.word(log, 0), BigInteger::add);
      } else if (from.equalsIgnoreCase(settlerTopic) && to.equalsIgnoreCase(escrowTopic)) {
        paid.merge("0x" + from.substring(26), ChainReader.word(log, 0).negate(), BigInteger::add);
      }
    }
    paid.values().removeIf(v -> v.signum() == 0);
    Map<String, String> differ = new LinkedHashMap<>();
    Set<String> payees = new HashSet<>(paid.keySet());
    payees.addAll(accrued.keySet());
    for (String p : payees) {
      if (!paid.getOrDefault(p, BigInteger.ZERO).equals(accrued.getOrDefault(p, BigInteger.ZERO))) {
        differ.put(p, "paid " + paid.get(p) + " accrued " + accrued.get(p));
      }
    }
    return new Result(
        "every payee paid on chain exactly their accruals",
        differ.isEmpty(),
        accrued.size() + " payees" + (differ.isEmpty() ? "" : "; " + differ));
  }

  private static String topicOf(String address) {
    return "0x" + "0".repeat(24) + address.substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  static Result badContentDeadLettered(
      JsonNode contributed, List<String> badUris, List<DeadLetter> deadLetters) {
    Set<String> bad = new HashSet<>(badUris);
    List<String> onChain = new ArrayList<>();
    for (JsonNode log : contributed) {
      String uri = ChainReader.string(log, 1);
      if (bad.contains(uri)) {
        onChain.add(uri);
      }
    }
    List<String> missing = new ArrayList<>();
    for (String uri : onChain) {
      boolean found =
          deadLetters.stream()
              .anyMatch(
                  d ->
                      d.getStage().equals("content-fetch")
                          && d.getReason().contains(uri)
                          && d.getReason().contains("hash"));
      if (!found) {
        missing.add(uri);
      }
    }
    return new Result(
        "every bad-hash contribution on chain dead-lettered with its reason",
        missing.isEmpty() && !onChain.isEmpty(),
        onChain.size() + " on chain" + (missing.isEmpty() ? "" : "; missing: " + missing));
  }

  static Result malformedDeadLettered(List<String> injected, List<DeadLetter> deadLetters) {
    List<String> missing = new ArrayList<>();
    for (String line : injected) {
      String[] f = line.split(" ");
      boolean found =
          deadLetters.stream()
              .anyMatch(
                  d ->
                      f[0].equals(d.getSourceTopic())
                          && d.getSourcePartition() != null
                          && d.getSourcePartition() == Integer.parseInt(f[1])
                          && d.getSourceOffset() != null
                          && d.getSourceOffset() == Long.parseLong(f[2])
                          && !d.getReason().isBlank());
      if (!found) {
        missing.add(line);
      }
    }
    return new Result(
        "every malformed raw record dead-lettered with its reason",
        missing.isEmpty(),
        injected.size() + " injected" + (missing.isEmpty() ? "" : "; missing: " + missing));
  }
}
