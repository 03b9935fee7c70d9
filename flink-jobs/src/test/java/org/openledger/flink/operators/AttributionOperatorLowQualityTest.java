package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openledger.flink.operators.AttributionInputs.at;
import static org.openledger.flink.operators.AttributionInputs.contribution;
import static org.openledger.flink.operators.AttributionInputs.contributor;
import static org.openledger.flink.operators.AttributionInputs.inference;
import static org.openledger.flink.operators.AttributionInputs.model;
import static org.openledger.flink.operators.AttributionInputs.params;
import static org.openledger.flink.operators.AttributionInputs.removed;
import static org.openledger.flink.operators.AttributionInputs.seal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.attribution.Duplicate;

/**
 * Low-quality content (ContentQuality) beside duplicates: never indexed, never earns, proposed for
 * a slash with its own reason code and the rule it broke, withdrawn if a reorg removes it.
 */
class AttributionOperatorLowQualityTest {

  static final String FOX = AttributionOperatorTest.FOX;
  static final long MODEL = AttributionOperatorTest.MODEL;

  private AttributionHarness op;

  @BeforeEach
  void openOperator() throws Exception {
    op = AttributionHarness.open();
    op.send(params(at(1, 0), 1, 3, 100_000, 900_000), model(at(1, 1), MODEL, 1), seal(1));
  }

  @AfterEach
  void closeOperator() throws Exception {
    op.close();
  }

  @Test
  void shouldProposeASlashForNearEmptyAndNonTextContentAndNeverAttributeIt() throws Exception {
    op.send(
        contribution(at(2, 0), 1, FOX),
        contribution(at(3, 0), 2, "?!"),
        contribution(at(3, 1), 3, "quick brown fox\u0000\u0001\u0002\u0003\u0004"),
        inference(at(4, 0), 100, MODEL, "quick brown fox"),
        seal(4));

    assertThat(op.duplicates())
        .extracting(Duplicate::contributionId, Duplicate::reasonCode, Duplicate::detail)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                2L, Duplicate.LOW_QUALITY, "near-empty meaningful=0 min=3"),
            org.assertj.core.groups.Tuple.tuple(
                3L,
                Duplicate.LOW_QUALITY,
                "non-text non-text-ppm=250000 bound-ppm=100000 code-points=20"));
    assertThat(op.duplicates())
        .allSatisfy(
            d -> {
              assertThat(d.duplicateOf()).isZero();
              assertThat(d.similarityPpm()).isZero();
              assertThat(d.paramsVersion()).isEqualTo(1);
              assertThat(d.contributor()).isEqualTo(contributor(d.contributionId()));
            });
    assertThat(op.results()).singleElement();
    assertThat(op.results().get(0).contributionIds()).containsExactly(1L);
    assertThat(op.sidecar.row(1, 2)).isEmpty();
    assertThat(op.sidecar.row(1, 3)).isEmpty();
  }

  @Test
  void shouldWithdrawTheProposalWhenTheContributionIsRemovedByReorg() throws Exception {
    ChainInput poor = contribution(at(3, 0), 2, "..");
    op.send(poor, seal(3));

    op.send(removed(poor));

    assertThat(op.duplicates()).extracting(Duplicate::removed).containsExactly(false, true);
    assertThat(op.duplicates().get(1))
        .usingRecursiveComparison()
        .ignoringFields("removed")
        .isEqualTo(op.duplicates().get(0));
  }
}
