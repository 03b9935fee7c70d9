package org.openledger.flink.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openledger.flink.verify.LoopParts.JSON;
import static org.openledger.flink.verify.LoopParts.awaitAccruals;
import static org.openledger.flink.verify.LoopParts.bridgeEnv;
import static org.openledger.flink.verify.LoopParts.mine;
import static org.openledger.flink.verify.LoopParts.read;
import static org.openledger.flink.verify.LoopParts.run;
import static org.openledger.flink.verify.LoopParts.startPipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.events.InferencePaid;
import org.openledger.events.ParamsChanged;
import org.openledger.flink.domain.FeeSplit;
import org.openledger.flink.domain.ShareRule;
import org.openledger.pipeline.AttributedContribution;
import org.openledger.pipeline.AttributionResult;
import org.openledger.pipeline.PayeeRole;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.schemas.Topics;
import org.openledger.testing.LocalStack;

/**
 * Governance end to end on real parts: while the workload pays inferences on the dev node, a real
 * OpenGovernor proposal (propose, vote, queue, execute through the timelock) changes the fee split
 * and the share rule. The follower, decoder and both Flink jobs run throughout, and the pipeline
 * applies the change from the executing block on: every inference before it is weighted and paid by
 * the deployment's params, every one after by the new ones, each to the wei.
 */
class GovernanceChangeIT {

  @TempDir Path dir;

  @Test
  void shouldPayByTheNewParamsFromTheExecutingBlockOnWhenGovernanceChangesThemMidStream()
      throws Exception {
    String name = LocalStack.unique("governance");
    String prefix = name + ".";
    Path logs = Files.createDirectories(Path.of("target", "governance-change", name));
    Path deployment = dir.resolve("deployment.json");
    Map<String, String> env = bridgeEnv(dir, prefix, deployment);
    Process deploy = run(env, logs.resolve("deploy.log"), "org.openledger.bridge.deploy.DeployApp");
    assertThat(deploy.waitFor()).as("deploy exit status").isZero();

    List<Process> parts = new ArrayList<>();
    JobClient job = null;
    try {
      job =
          startPipeline(
              env, logs, prefix, dir.resolve("content"), parts, "governance-change " + name);

      // One Datanet of real text, two payers; halfway through its inferences the workload walks
      // a change of the split to 60/30/10 and the share rule to POWER 2 through governance.
      Path report = dir.resolve("workload.json");
      Process workload =
          run(
              env,
              logs.resolve("workload.log"),
              "org.openledger.bridge.workload.WorkloadApp",
              "--datanets",
              "1",
              "--contributions",
              "8",
              "--duplicates",
              "0",
              "--bad-hashes",
              "0",
              "--inferences",
              "16",
              "--rate",
              "8",
              "--contributors",
              "4",
              "--payers",
              "2",
              "--seed",
              "5",
              "--governance",
              "on",
              "--report",
              report.toString());
      assertThat(workload.waitFor()).as("workload exit status").isZero();
      mine(30); // past the follower's finality and the settlement window
      JsonNode outcome = JSON.readTree(report.toFile());
      long changedAt = outcome.get("paramsChangedAtBlock").asLong();
      BigInteger fees = new BigInteger(outcome.get("feesWei").asText());
      List<PayoutAccrual> accruals = awaitAccruals(prefix, fees);

      // The chain's own record of the change, decoded: version 2 at the executing block.
      Map<Long, ParamsChanged> versions = new HashMap<>();
      for (ParamsChanged p : read(prefix, Topics.PARAMS_CHANGED, ParamsChanged.class)) {
        if (!p.getRemoved()) {
          versions.put(p.getVersion(), p);
        }
      }
      assertThat(versions).containsOnlyKeys(1L, 2L);
      ParamsChanged after = versions.get(2L);
      assertThat(after.getPosition().getBlockNumber()).isEqualTo(changedAt);
      assertThat(List.of(after.getContributorBps(), after.getOwnerBps(), after.getProtocolBps()))
          .containsExactly(6000, 3000, 1000);
      assertThat(rule(after)).isEqualTo(ShareRule.power(2));
      assertThat(rule(versions.get(1L))).isNotEqualTo(rule(after));

      Map<Long, AttributionResult> results = new HashMap<>();
      for (AttributionResult r :
          read(prefix, Topics.ATTRIBUTION_RESULTS, AttributionResult.class)) {
        if (!r.getRemoved()) {
          results.put(r.getInferenceId(), r);
        }
      }
      Map<Long, List<PayoutAccrual>> paidOut = new HashMap<>();
      for (PayoutAccrual a : accruals) {
        assertThat(a.getRemoved()).as("no reorg here: nothing retracted").isFalse();
        paidOut.computeIfAbsent(a.getInferenceId(), k -> new ArrayList<>()).add(a);
      }
      int before = 0;
      int afterIt = 0;
      for (InferencePaid paid : read(prefix, Topics.INFERENCE_PAID, InferencePaid.class)) {
        if (paid.getRemoved()) {
          continue;
        }
        long block = paid.getPosition().getBlockNumber();
        assertThat(block).as("an inference in the executing block").isNotEqualTo(changedAt);
        long version = block > changedAt ? 2 : 1;
        if (version == 1) {
          before++;
        } else {
          afterIt++;
        }
        ParamsChanged params = versions.get(version);
        AttributionResult result = results.get(paid.getInferenceId());
        assertThat(result).as("result of inference %d", paid.getInferenceId()).isNotNull();
        assertThat(result.getParamsVersion())
            .as("params version of inference %d at block %d", paid.getInferenceId(), block)
            .isEqualTo(version);
        List<AttributedContribution> ranked = new ArrayList<>(result.getContributions());
        ranked.sort(Comparator.comparingInt(AttributedContribution::getRank));
        long[] weights =
            rule(params)
                .weights(
                    ranked.stream().mapToLong(AttributedContribution::getScorePpm).toArray(),
                    params.getSimilarityThresholdPpm());
        assertThat(ranked.stream().mapToLong(AttributedContribution::getWeight).toArray())
            .as("weights of inference %d by %s", paid.getInferenceId(), rule(params))
            .containsExactly(weights);

        FeeSplit.Split split =
            FeeSplit.split(
                paid.getFee().toBigIntegerExact(),
                new FeeSplit.Bps(
                    params.getContributorBps(), params.getOwnerBps(), params.getProtocolBps()),
                ranked.stream()
                    .map(
                        c ->
                            new FeeSplit.Share(
                                c.getContributionId(), c.getContributor(), c.getWeight()))
                    .toList());
        assertThat(paidOut.get(paid.getInferenceId()))
            .as("accruals of inference %d", paid.getInferenceId())
            .isNotEmpty()
            .allSatisfy(a -> assertThat(a.getParamsVersion()).isEqualTo(version));
        assertThat(byRole(paidOut.get(paid.getInferenceId())))
            .as("accruals of inference %d (params version %d)", paid.getInferenceId(), version)
            .isEqualTo(expected(split, ranked));
      }
      assertThat(before).as("inferences before the change").isPositive();
      assertThat(afterIt).as("inferences after the change").isPositive();
    } finally {
      if (job != null) {
        job.cancel().get();
      }
      for (Process p : parts) {
        p.destroyForcibly().waitFor();
      }
    }
  }

  private static ShareRule rule(ParamsChanged p) {
    return ShareRule.of(p.getShareRule().name(), p.getShareRuleParam());
  }

  /** One inference's accruals as "ROLE[:contribution]" to wei; zero amounts are left out. */
  private static Map<String, BigInteger> byRole(List<PayoutAccrual> accruals) {
    Map<String, BigInteger> out = new HashMap<>();
    for (PayoutAccrual a : accruals) {
      String key =
          a.getRole() == PayeeRole.CONTRIBUTOR
              ? "CONTRIBUTOR:" + a.getContributionId()
              : "" + a.getRole();
      out.merge(key, a.getAmount().toBigIntegerExact(), BigInteger::add);
    }
    out.values().removeIf(v -> v.signum() == 0);
    return out;
  }

  /** What the split says each role gets; an unattributed pool goes to the protocol. */
  private static Map<String, BigInteger> expected(
      FeeSplit.Split split, List<AttributedContribution> ranked) {
    Map<String, BigInteger> out = new HashMap<>();
    out.put("MODEL_OWNER", split.owner());
    out.put("PROTOCOL", split.protocol().add(split.unattributedPool()));
    for (int i = 0; i < ranked.size(); i++) {
      out.merge(
          "CONTRIBUTOR:" + ranked.get(i).getContributionId(),
          split.contributions().get(i),
          BigInteger::add);
    }
    out.values().removeIf(v -> v.signum() == 0);
    return out;
  }
}
