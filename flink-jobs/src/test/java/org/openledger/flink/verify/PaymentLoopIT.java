package org.openledger.flink.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openledger.flink.verify.LoopParts.JSON;
import static org.openledger.flink.verify.LoopParts.TREASURY;
import static org.openledger.flink.verify.LoopParts.awaitAccruals;
import static org.openledger.flink.verify.LoopParts.awaitSettled;
import static org.openledger.flink.verify.LoopParts.bridgeEnv;
import static org.openledger.flink.verify.LoopParts.mine;
import static org.openledger.flink.verify.LoopParts.read;
import static org.openledger.flink.verify.LoopParts.rpc;
import static org.openledger.flink.verify.LoopParts.run;
import static org.openledger.flink.verify.LoopParts.startPipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.events.DataContributed;
import org.openledger.events.InferencePaid;
import org.openledger.flink.attribution.AttributionJobIT;
import org.openledger.pipeline.AttributionResult;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.pipeline.PayoutBatch;
import org.openledger.pipeline.PayoutBatchLeaf;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.LocalStack;

/**
 * The whole money loop on real parts: contracts deployed on the dev node, the bridge's follower,
 * decoder and settlement writer as processes, the attribution and payment jobs in a mini-cluster,
 * the real sidecar, all running while the sample scenario drives the chain. Every payee's token
 * balance grows by exactly the sum of their accruals, the accruals add up to the fees, each batch
 * is settled once, and {@code verify} proves every payee's amounts against the roots on chain. The
 * ClickHouse loader runs beside them: every file of the analysts' query pack answers what the
 * records say, and reconciliation passes.
 */
class PaymentLoopIT {

  /** The sample scenario's contributor, the address why_paid_in_batch.sql asks about. */
  private static final String CONTRIBUTOR = "0x976ea74026e726554db657fa54763abd0c3a0aa9";

  private static final Path SQL = Path.of("..", "sql");

  @TempDir Path dir;

  private final HeadSampler heads = new HeadSampler();

  /** Notes when the chain's head first reached each block, polling every 50 ms. */
  private static final class HeadSampler extends Thread {
    private final java.util.concurrent.ConcurrentSkipListMap<Long, Long> firstSeen =
        new java.util.concurrent.ConcurrentSkipListMap<>();

    HeadSampler() {
      setDaemon(true);
    }

    @Override
    public void run() {
      while (!isInterrupted()) {
        try {
          long head = Long.decode(rpc("eth_blockNumber", "[]").asText());
          firstSeen.putIfAbsent(head, System.nanoTime());
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          // a missed sample only coarsens the figure
        }
      }
    }

    /** When the head was first seen at or past {@code block}. */
    long seenAt(long block) {
      var at = firstSeen.ceilingEntry(block);
      return at == null ? System.nanoTime() : at.getValue();
    }
  }

  @Test
  void shouldPayEveryPayeeExactlyTheirAccrualsOnChain() throws Exception {
    String name = LocalStack.unique("loop");
    String prefix = name + ".";
    Path logs = Files.createDirectories(Path.of("target", "payment-loop", name));
    Path deployment = dir.resolve("deployment.json");
    Map<String, String> env = bridgeEnv(dir, prefix, deployment);
    String database = name.replace('-', '_').replace('.', '_');
    env.put("OPENLEDGER_CLICKHOUSE_URL", LocalStack.clickhouseUrl().toString());
    env.put("OPENLEDGER_CLICKHOUSE_DATABASE", database);
    env.put("OPENLEDGER_SQL_DIR", SQL.toAbsolutePath().toString());
    env.put("OPENLEDGER_LOADER_METRICS_PORT", "0");
    QueryPack pack = new QueryPack(LocalStack.clickhouseUrl(), database);
    run(env, logs.resolve("deploy.log"), "org.openledger.bridge.deploy.DeployApp").waitFor();
    String settlement =
        JSON.readTree(deployment.toFile()).at("/contracts/Settlement/address").asText();
    String token = JSON.readTree(deployment.toFile()).at("/contracts/OpenToken/address").asText();

    List<Process> parts = new ArrayList<>();
    JobClient job = null;
    try {
      job = startPipeline(env, logs, prefix, dir.resolve("content"), parts, "payment-loop " + name);

      parts.add(
          run(env, logs.resolve("settlement.log"), "org.openledger.bridge.settle.SettlementApp"));
      parts.add(run(env, logs.resolve("loader.log"), "org.openledger.bridge.analytics.LoaderApp"));
      heads.start();
      Process scenario =
          run(env, logs.resolve("scenario.log"), "org.openledger.bridge.scenario.ScenarioApp");
      assertThat(scenario.waitFor()).as("scenario exit status").isZero();
      BigInteger fee = new BigInteger("3000000000000000001"); // the scenario's one paid inference
      mine(25); // past the 20-block settlement window of the deployment's params

      // Every fee accrued (read_committed) ...
      List<PayoutAccrual> accruals = awaitAccruals(prefix, fee);
      Map<String, BigInteger> accrued = new HashMap<>();
      for (PayoutAccrual a : accruals) {
        BigInteger amount = a.getAmount().toBigIntegerExact();
        accrued.merge(a.getPayee(), a.getRemoved() ? amount.negate() : amount, BigInteger::add);
      }
      assertThat(accrued).containsKey(TREASURY).hasSizeGreaterThanOrEqualTo(3);

      // ... and settled on chain, once.
      ChainReader chain = new ChainReader(LocalStack.evmRpcUrl());
      List<ChainReader.Settled> settled = awaitSettled(chain, settlement, fee);
      BigInteger total =
          settled.stream().map(ChainReader.Settled::total).reduce(BigInteger.ZERO, BigInteger::add);
      assertThat(total).as("settled on chain").isEqualTo(fee);
      assertThat(settled.stream().map(ChainReader.Settled::batchId).distinct())
          .hasSameSizeAs(settled);

      // Each payee's balance grew by exactly their accruals: the token's Transfer events out of
      // the escrow (the only way settlement moves tokens) add up, per payee, to what they accrued.
      // (The sample scenario's own zero-wei settlement moves nothing and is left out.)
      Map<String, BigInteger> moved = transfersFrom(token, settlement);
      // The escrow also hands the settler its proposal bonds back on each finalize (docs/
      // PAYMENTS.md, "Optimistic settlement"): net of the bonds it took, they are no payment.
      String settler =
          JSON.readTree(deployment.toFile()).at("/roles/settler").asText().toLowerCase();
      BigInteger bonds =
          transfersFrom(token, settler).getOrDefault(settlement.toLowerCase(), BigInteger.ZERO);
      moved.merge(settler, bonds.negate(), BigInteger::add);
      moved.values().removeIf(v -> v.signum() == 0);
      assertThat(moved).isEqualTo(accrued);

      // Latency from the window's closing block to its BatchSettled, by the wall clock: when the
      // chain's head first reached each (sampled every 50 ms; block timestamps are useless here,
      // the scenario moves the chain's clock for its governance vote).
      Map<String, Long> windowEnds = windowEnds(prefix);
      for (ChainReader.Settled s : settled) {
        if (!windowEnds.containsKey(s.batchId())) {
          continue; // the sample scenario's own zero-wei settlement
        }
        long closing = windowEnds.get(s.batchId());
        System.out.printf(
            "payment loop: window closing at block %d -> BatchSettled at block %d: %.2f s%n",
            closing, s.block(), (heads.seenAt(s.block()) - heads.seenAt(closing)) / 1e9);
      }

      // A payee can prove every settled amount against the chain's roots.
      Map<String, List<PayoutBatchLeaf>> leaves =
          VerifyApp.leaves(
              LocalStack.kafkaBootstrap(),
              LocalStack.registryUrl(),
              prefix + Topics.PAYOUT_BATCH_LEAVES.name());
      Map<String, ChainReader.Settled> byId = new HashMap<>();
      settled.forEach(s -> byId.put(s.batchId(), s));
      for (String payee : accrued.keySet()) {
        assertThat(new VerifyApp.Verifier(System.out).verify(payee, null, leaves, byId))
            .as("verify failures for %s", payee)
            .isZero();
      }

      // The analysts' view of the same run: once ClickHouse holds every accrual, leaf and
      // settlement, each file of the query pack answers exactly what the Kafka records say it
      // must, the latency view counts every result, and reconciliation passes.
      Map<String, BigInteger> paid = new HashMap<>();
      settled.forEach(
          s -> {
            for (int i = 0; i < s.payees().size(); i++) {
              paid.merge(s.payees().get(i), s.amounts().get(i), BigInteger::add);
            }
          });
      int leafCount = leaves.values().stream().mapToInt(List::size).sum();
      awaitLoaded(pack, database, accruals.size(), leafCount, settled.size());
      // The same receipts from ClickHouse (leaves, accruals) and the chain (roots, fee) alone, as
      // bin/openledger verify reads them by default: what lasts once the topics have expired.
      String market =
          JSON.readTree(deployment.toFile()).at("/contracts/InferenceMarket/address").asText();
      try (ClickHouseLeafSource stored =
          new ClickHouseLeafSource(LocalStack.clickhouseUrl().toString(), database)) {
        for (String payee : accrued.keySet()) {
          assertThat(stored.batchesOfPayee(payee, null).keySet())
              .as("batches paying %s, ClickHouse vs Kafka", payee)
              .containsExactlyInAnyOrderElementsOf(
                  new KafkaLeafSource(LocalStack.kafkaBootstrap(), LocalStack.registryUrl(), prefix)
                      .batchesOfPayee(payee, null)
                      .keySet());
        }
        Map<String, List<PayoutBatchLeaf>> ofInference = stored.batchesOfInference(1);
        assertThat(ofInference).isNotEmpty();
        assertThat(
                new InferenceVerifier(System.out)
                    .verify(
                        1, chain.inferencePaid(market, 1), stored.accruals(1), ofInference, byId))
            .as("verify --inference 1 failures")
            .isZero();
      }
      PackExpectations expected =
          new PackExpectations(
              read(prefix, Topics.INFERENCE_PAID, InferencePaid.class),
              read(prefix, Topics.ATTRIBUTION_RESULTS, AttributionResult.class),
              accruals,
              read(prefix, Topics.DATA_CONTRIBUTED, DataContributed.class),
              read(prefix, Topics.PAYOUT_BATCHES, PayoutBatch.class),
              leaves.values().stream().flatMap(List::stream).toList());
      Path queries = SQL.resolve("queries");
      assertThat(pack.run(queries.resolve("revenue_per_model.sql")))
          .isEqualTo(expected.revenuePerModel())
          .contains("\t" + fee + "\n");
      assertThat(pack.run(queries.resolve("pending_per_contributor.sql")))
          .isEqualTo(expected.pendingPerContributor(paid))
          .endsWith("\t0\n");
      assertThat(pack.run(queries.resolve("attribution_of_inference.sql")))
          .isEqualTo(expected.attributionOfInference(1))
          .contains("CONTRIBUTOR", "MODEL_OWNER", "PROTOCOL");
      String thisWeek = pack.run(queries.resolve("top_contributors_of_datanet_this_week.sql"));
      assertThat(thisWeek).isEqualTo(expected.topContributorsThisWeek(1, Instant.now()));
      assertThat(pack.run(queries.resolve("why_paid_in_batch.sql")))
          .isEqualTo(expected.whyPaidInBatch(CONTRIBUTOR))
          .isNotEmpty();
      try (var files = Files.list(queries)) {
        assertThat(files.map(f -> f.getFileName().toString()))
            .as("every file of the pack is checked above")
            .containsExactlyInAnyOrder(
                "revenue_per_model.sql",
                "pending_per_contributor.sql",
                "attribution_of_inference.sql",
                "top_contributors_of_datanet_this_week.sql",
                "why_paid_in_batch.sql");
      }
      assertThat(
              pack.query(
                  "SELECT sum(results), min(pipeline_p50_ms) >= 0 FROM "
                      + database
                      + ".attribution_latency"))
          .isEqualTo(expected.attributionResults() + "\t1\n");
      Process reconcile =
          run(env, logs.resolve("reconcile.log"), "org.openledger.bridge.analytics.ReconcileApp");
      assertThat(reconcile.waitFor()).as("reconcile exit status").isZero();
      assertThat(Files.readString(logs.resolve("reconcile.log")))
          .contains("reconciled: every check passed");
    } finally {
      heads.interrupt();
      if (job != null) {
        job.cancel().get();
      }
      for (Process p : parts) {
        p.destroyForcibly().waitFor();
      }
      pack.query("DROP DATABASE IF EXISTS " + database);
    }
  }

  /** Waits until ClickHouse holds every accrual, leaf and settlement the run produced. */
  private static void awaitLoaded(
      QueryPack pack, String db, int accruals, int leaves, int settlements) throws Exception {
    String want = accruals + "\t" + leaves + "\t" + settlements + "\n";
    String sql =
        "SELECT (SELECT count() FROM "
            + db
            + ".payout_accruals FINAL), (SELECT count() FROM "
            + db
            + ".payout_batch_leaves FINAL), (SELECT count() FROM "
            + db
            + ".batch_settled FINAL)";
    long deadline = System.nanoTime() + 60_000_000_000L;
    String got = "";
    while (System.nanoTime() < deadline) {
      try {
        got = pack.query(sql);
        if (got.equals(want)) {
          return;
        }
      } catch (IllegalStateException e) {
        got = e.getMessage(); // the loader has not made the tables yet
      }
      Thread.sleep(500);
    }
    throw new AssertionError("ClickHouse never held the run: want " + want + " got " + got);
  }

  /** Sums, per recipient, the token's Transfer events sent by {@code from}. */
  private static Map<String, BigInteger> transfersFrom(String token, String from) throws Exception {
    String transfer = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
    String sender = "0x" + "0".repeat(24) + from.substring(2).toLowerCase();
    JsonNode logs =
        rpc(
            "eth_getLogs",
            "[{\"fromBlock\":\"earliest\",\"toBlock\":\"latest\",\"address\":\""
                + token
                + "\",\"topics\":[\""
                + transfer
                + "\",\""
                + sender
                + "\"]}]");
    Map<String, BigInteger> out = new HashMap<>();
    for (JsonNode log : logs) {
      String to = "0x" + log.get("topics").get(2).asText().substring(26);
      out.merge(to, new BigInteger(log.get("data").asText().substring(2), 16), BigInteger::add);
    }
    return out;
  }

  private static Map<String, Long> windowEnds(String prefix) {
    var serde =
        new ConfluentAvroSerde<>(
            Topics.PAYOUT_BATCHES.withName(prefix + Topics.PAYOUT_BATCHES.name()),
            new SchemaRegistryClient(LocalStack.registryUrl()),
            PayoutBatch.class);
    Map<String, Long> out = new HashMap<>();
    for (byte[] v : AttributionJobIT.readCommitted(prefix + Topics.PAYOUT_BATCHES.name(), 1, 2)) {
      PayoutBatch b = serde.decode(v);
      out.put(b.getBatchId(), b.getWindowEnd());
    }
    return out;
  }
}
