package org.openledger.flink.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openledger.flink.verify.LoopParts.JSON;
import static org.openledger.flink.verify.LoopParts.awaitAccruals;
import static org.openledger.flink.verify.LoopParts.awaitSettled;
import static org.openledger.flink.verify.LoopParts.bridgeEnv;
import static org.openledger.flink.verify.LoopParts.mine;
import static org.openledger.flink.verify.LoopParts.read;
import static org.openledger.flink.verify.LoopParts.run;
import static org.openledger.flink.verify.LoopParts.startPipeline;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.pipeline.PayoutBatch;
import org.openledger.schemas.Topics;
import org.openledger.testing.LocalStack;

/**
 * Losing Kafka costs no money and no receipt: after the money loop has settled on real parts, every
 * topic of the deployment, the decoder's topics and the apps' consumer groups are deleted (the
 * ledger bridge's RebuildApp, as {@code bin/openledger rebuild} runs it) and the apps and jobs
 * start again with no state. The follower re-reads the chain from the deployment's block, the jobs
 * recompute the same accruals and the same batches (ids, payees, amounts, roots), the settlement
 * writer finds every batch settled on chain and sends nothing, and {@code verify --inference}
 * proves the inference's payouts from the rebuilt topics against the chain.
 */
class TopicRebuildIT {

  private static final String SETTLEMENT_APP = "org.openledger.bridge.settle.SettlementApp";

  @TempDir Path dir;

  @Test
  void shouldRebuildTheSameBatchesAndSettleNothingTwiceWhenEveryTopicIsDeleted() throws Exception {
    String name = LocalStack.unique("rebuild");
    String prefix = name + ".";
    Path logs = Files.createDirectories(Path.of("target", "topic-rebuild", name));
    Path deployment = dir.resolve("deployment.json");
    Map<String, String> env = bridgeEnv(dir, prefix, deployment);
    run(env, logs.resolve("deploy.log"), "org.openledger.bridge.deploy.DeployApp").waitFor();
    String settlement =
        JSON.readTree(deployment.toFile()).at("/contracts/Settlement/address").asText();
    String market =
        JSON.readTree(deployment.toFile()).at("/contracts/InferenceMarket/address").asText();
    BigInteger fee = new BigInteger("3000000000000000001"); // the scenario's one paid inference
    ChainReader chain = new ChainReader(LocalStack.evmRpcUrl());

    List<Process> parts = new ArrayList<>();
    JobClient job = null;
    try {
      // The loop as PaymentLoopIT runs it, until every fee is settled on chain.
      job = startPipeline(env, logs, prefix, dir.resolve("content"), parts, "rebuild " + name);
      parts.add(run(env, logs.resolve("settlement.log"), SETTLEMENT_APP));
      Process scenario =
          run(env, logs.resolve("scenario.log"), "org.openledger.bridge.scenario.ScenarioApp");
      assertThat(scenario.waitFor()).as("scenario exit status").isZero();
      mine(25); // past the 20-block settlement window of the deployment's params
      Map<String, BigInteger> accruedBefore = perPayee(awaitAccruals(prefix, fee));
      List<ChainReader.Settled> settled = awaitSettled(chain, settlement, fee);
      assertThat(total(settled)).as("settled on chain before the rebuild").isEqualTo(fee);
      Set<PayoutBatch> batchesBefore =
          Set.copyOf(read(prefix, Topics.PAYOUT_BATCHES, PayoutBatch.class));
      assertThat(batchesBefore).isNotEmpty();

      // Kafka is lost: stop everything, delete the topics and groups, clear the decoder's state.
      job.cancel().get();
      job = null;
      stop(parts);
      Process rebuild =
          run(env, logs.resolve("rebuild.log"), "org.openledger.bridge.rebuild.RebuildApp");
      assertThat(rebuild.waitFor()).as("rebuild exit status").isZero();
      assertThat(Files.readString(logs.resolve("rebuild.log"))).contains("rebuild: deleted");
      assertThat(topicsOf(prefix)).as("topics of the deployment after the rebuild").isEmpty();
      deleteTree(dir.resolve("decoder"));
      Files.createDirectories(dir.resolve("decoder"));

      // Everything again from the chain alone.
      Path again = Files.createDirectories(logs.resolve("again"));
      job = startPipeline(env, again, prefix, dir.resolve("content"), parts, "rebuilt " + name);
      parts.add(run(env, again.resolve("settlement.log"), SETTLEMENT_APP));
      assertThat(perPayee(awaitAccruals(prefix, fee)))
          .as("accrued per payee, rebuilt vs before")
          .isEqualTo(accruedBefore);
      Set<PayoutBatch> rebuilt = awaitBatches(prefix, batchesBefore.size());
      assertThat(rebuilt).as("batches: ids, payees, amounts, roots").isEqualTo(batchesBefore);
      awaitAlreadySettled(again.resolve("settlement.log"), batchesBefore);
      assertThat(chain.settled(settlement, null))
          .as("settlements on chain: none sent twice")
          .isEqualTo(settled);

      // A receipt from the rebuilt topics, proven against the chain.
      Map<String, ChainReader.Settled> byId = new HashMap<>();
      settled.forEach(s -> byId.put(s.batchId(), s));
      try (KafkaLeafSource kafka =
          new KafkaLeafSource(LocalStack.kafkaBootstrap(), LocalStack.registryUrl(), prefix)) {
        var ofInference = kafka.batchesOfInference(1);
        assertThat(ofInference).isNotEmpty();
        assertThat(
                new InferenceVerifier(System.out)
                    .verify(
                        1, chain.inferencePaid(market, 1), kafka.accruals(1), ofInference, byId))
            .as("verify --inference 1 failures on the rebuilt topics")
            .isZero();
      }
    } finally {
      if (job != null) {
        job.cancel().get();
      }
      stop(parts);
    }
  }

  private static void stop(List<Process> parts) throws InterruptedException {
    for (Process p : parts) {
      p.destroyForcibly().waitFor();
    }
    parts.clear();
  }

  private static Map<String, BigInteger> perPayee(List<PayoutAccrual> accruals) {
    Map<String, BigInteger> out = new HashMap<>();
    for (PayoutAccrual a : accruals) {
      BigInteger amount = a.getAmount().toBigIntegerExact();
      out.merge(a.getPayee(), a.getRemoved() ? amount.negate() : amount, BigInteger::add);
    }
    return out;
  }

  private static BigInteger total(List<ChainReader.Settled> settled) {
    return settled.stream()
        .map(ChainReader.Settled::total)
        .reduce(BigInteger.ZERO, BigInteger::add);
  }

  private static Set<String> topicsOf(String prefix) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap()))) {
      Set<String> all = admin.listTopics().names().get();
      return Set.copyOf(all.stream().filter(t -> t.startsWith(prefix)).toList());
    }
  }

  /**
   * Waits until the rebuilt payout.batches holds {@code count} batches (windows close by block).
   */
  private static Set<PayoutBatch> awaitBatches(String prefix, int count) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    List<PayoutBatch> batches = List.of();
    while (System.nanoTime() < deadline) {
      batches = read(prefix, Topics.PAYOUT_BATCHES, PayoutBatch.class);
      if (batches.size() >= count) {
        assertThat(batches).as("no batch twice").doesNotHaveDuplicates();
        return Set.copyOf(batches);
      }
      mine(1);
      Thread.sleep(500);
    }
    throw new AssertionError("only " + batches.size() + " of " + count + " batches rebuilt");
  }

  /** Waits until the writer's log says each batch was found settled on chain. */
  private static void awaitAlreadySettled(Path log, Set<PayoutBatch> batches) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    List<String> missing = List.of();
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      missing =
          batches.stream()
              .map(PayoutBatch::getBatchId)
              .filter(id -> !text.contains("batch " + id + " is already settled on chain"))
              .toList();
      if (missing.isEmpty()) {
        return;
      }
      mine(1);
      Thread.sleep(500);
    }
    throw new AssertionError("the writer never found these batches settled: " + missing);
  }

  private static void deleteTree(Path root) throws Exception {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
