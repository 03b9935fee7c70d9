package org.openledger.bridge.domain.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.domain.rebuild.RebuildPlan.Group;

class RebuildPlanTest {

  private static final List<String> PIPELINE =
      List.of("chain.raw-logs", "chain.events", "payout.batches", "bridge.follower-cursor");
  private static final String DECODER = "openledger-decoder";

  @Test
  void shouldDeleteEveryPipelineTopicAndTheDecodersOwnWhenTheyExist() {
    RebuildPlan plan =
        RebuildPlan.of(
            List.of(
                "chain.raw-logs",
                "chain.events",
                "payout.batches",
                "bridge.follower-cursor",
                DECODER + "-dedup-store-changelog",
                "openledger.stack-check",
                "__consumer_offsets",
                "someone.elses"),
            List.of(),
            "",
            PIPELINE,
            DECODER);

    assertThat(plan.topics())
        .containsExactly(
            "bridge.follower-cursor",
            "chain.events",
            "chain.raw-logs",
            DECODER + "-dedup-store-changelog",
            "payout.batches");
  }

  @Test
  void shouldTouchOnlyTheTopicsOfItsPrefixWhenSeveralDeploymentsShareABroker() {
    RebuildPlan plan =
        RebuildPlan.of(
            List.of("a.chain.raw-logs", "b.chain.raw-logs", "a.openledger-decoder-x-changelog"),
            List.of(
                new Group("a.loader", false, Set.of("a.chain.raw-logs")),
                new Group("b.loader", true, Set.of("b.chain.raw-logs"))),
            "a.",
            PIPELINE,
            "a." + DECODER);

    assertThat(plan.topics())
        .containsExactly("a.chain.raw-logs", "a.openledger-decoder-x-changelog");
    assertThat(plan.groups()).containsExactly("a.loader");
  }

  @Test
  void shouldDeleteEveryGroupThatReadADoomedTopicAndTheDecodersGroup() {
    RebuildPlan plan =
        RebuildPlan.of(
            List.of("chain.events", "payout.batches", "openledger.stack-check"),
            List.of(
                new Group("openledger-clickhouse-loader", false, Set.of("chain.events")),
                new Group("openledger-settlement", false, Set.of("payout.batches")),
                new Group(DECODER, false, Set.of()),
                new Group("stack-check", false, Set.of("openledger.stack-check")),
                new Group("idle", false, Set.of())),
            "",
            PIPELINE,
            DECODER);

    assertThat(plan.groups())
        .containsExactly("openledger-clickhouse-loader", DECODER, "openledger-settlement");
  }

  @Test
  void shouldRefuseWhenAGroupThatReadsADoomedTopicStillHasMembers() {
    assertThatThrownBy(
            () ->
                RebuildPlan.of(
                    List.of("payout.batches"),
                    List.of(new Group("openledger-settlement", true, Set.of("payout.batches"))),
                    "",
                    PIPELINE,
                    DECODER))
        .isInstanceOf(RebuildPlan.Refused.class)
        .hasMessageContaining("openledger-settlement")
        .hasMessageContaining("stop the bridge apps");
  }

  @Test
  void shouldPlanNothingWhenTheBrokerHoldsNoneOfThePipeline() {
    RebuildPlan plan =
        RebuildPlan.of(
            List.of("openledger.stack-check"),
            List.of(new Group("x", true, Set.of("openledger.stack-check"))),
            "",
            PIPELINE,
            DECODER);

    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.remaining(List.of("openledger.stack-check"))).isEmpty();
  }

  @Test
  void shouldReportTheTopicsTheBrokerStillListsWhileDeletionIsUnderWay() {
    RebuildPlan plan = new RebuildPlan(List.of("chain.events", "chain.raw-logs"), List.of());

    assertThat(plan.remaining(List.of("chain.raw-logs", "other")))
        .containsExactly("chain.raw-logs");
  }
}
