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
 * First come owns the data: a contribution whose best earlier active match reaches the governance
 * bound is flagged (a slash proposal), never earns, and the flag is withdrawn if a reorg removes
 * it.
 */
class AttributionOperatorDuplicatesTest {

  static final String FOX = AttributionOperatorTest.FOX;
  static final long MODEL = AttributionOperatorTest.MODEL;

  private AttributionHarness op;

  @BeforeEach
  void openOperator() throws Exception {
    op = AttributionHarness.open();
  }

  @AfterEach
  void closeOperator() throws Exception {
    op.close();
  }

  /** params v1: top 3, threshold 0.1, duplicate bound 0.9; model 7 over Datanet 1. */
  private void governed() throws Exception {
    op.send(params(at(1, 0), 1, 3, 100_000, 900_000), model(at(1, 1), MODEL, 1), seal(1));
  }

  @Test
  void shouldFlagADuplicateAndNeverAttributeIt() throws Exception {
    governed();
    op.send(
        contribution(at(2, 0), 1, FOX),
        contribution(at(3, 0), 2, "The quick brown fox jumps over the lazy dog!"),
        inference(at(4, 0), 100, MODEL, "quick brown fox"),
        seal(4));

    assertThat(op.duplicates())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.removed()).isFalse();
              assertThat(d.contributionId()).isEqualTo(2);
              assertThat(d.duplicateOf()).isEqualTo(1);
              assertThat(d.contributor()).isEqualTo(contributor(2));
              assertThat(d.similarityPpm()).isEqualTo(1_000_000);
              assertThat(d.duplicateBoundPpm()).isEqualTo(900_000);
              assertThat(d.paramsVersion()).isEqualTo(1);
              assertThat(d.encoderId()).isEqualTo(FakeSidecar.ENCODER);
              assertThat(d.block()).isEqualTo(3);
            });
    assertThat(op.results())
        .singleElement()
        .satisfies(a -> assertThat(a.contributionIds()).containsExactly(1L));
    assertThat(op.sidecar.row(1, 2)).hasValueSatisfying(r -> assertThat(r.to()).isEqualTo(3L));
  }

  @Test
  void shouldFlagAtExactlyTheBound() throws Exception {
    op.send(params(at(1, 0), 1, 3, 100_000, 750_000), model(at(1, 1), MODEL, 1), seal(1));

    op.send(
        contribution(at(2, 0), 1, "a b c d"),
        contribution(at(3, 0), 2, "a b c"), // 3/4 = 750000 ppm
        seal(3));

    assertThat(op.duplicates()).extracting(Duplicate::contributionId).containsExactly(2L);
  }

  @Test
  void shouldNotFlagASimilarContributionBelowTheDuplicateBound() throws Exception {
    governed();
    op.send(
        contribution(at(2, 0), 1, FOX),
        contribution(at(3, 0), 2, "the quick brown fox jumps over the lazy cat"), // 7/9
        inference(at(4, 0), 100, MODEL, "quick brown fox"),
        seal(4));

    assertThat(op.duplicates()).isEmpty();
    assertThat(op.results().get(0).contributionIds()).containsExactly(1L, 2L);
  }

  @Test
  void shouldNotFlagACopyOfAContributionThatNoLongerEarns() throws Exception {
    governed();
    op.send(
        contribution(at(2, 0), 1, FOX),
        AttributionInputs.withdraw(at(3, 0), 1),
        contribution(at(4, 0), 2, FOX),
        inference(at(5, 0), 100, MODEL, "quick brown fox"),
        seal(5));

    assertThat(op.duplicates()).isEmpty();
    assertThat(op.results().get(0).contributionIds()).containsExactly(2L);
  }

  @Test
  void shouldNotFlagWhenNoParamsAreInForceAtTheContributionsBlock() throws Exception {
    op.send(
        contribution(at(2, 0), 1, FOX),
        contribution(at(3, 0), 2, FOX),
        params(at(4, 0), 1, 3, 100_000, 900_000),
        seal(4));

    assertThat(op.duplicates()).isEmpty();
  }

  @Test
  void shouldWithdrawTheFlagWhenTheDuplicateIsRemovedByReorg() throws Exception {
    governed();
    ChainInput copy = contribution(at(3, 0), 2, FOX);
    op.send(contribution(at(2, 0), 1, FOX), copy, seal(3));

    op.send(removed(copy));

    assertThat(op.duplicates()).extracting(Duplicate::removed).containsExactly(false, true);
    assertThat(op.duplicates().get(1))
        .usingRecursiveComparison()
        .ignoringFields("removed")
        .isEqualTo(op.duplicates().get(0));
  }

  @Test
  void shouldNotAttributeTheCopyAgainWhenTheOriginalCloses() throws Exception {
    governed();
    op.send(
        contribution(at(2, 0), 1, FOX),
        contribution(at(3, 0), 2, FOX),
        AttributionInputs.slash(at(4, 0), 1),
        AttributionInputs.slash(at(4, 1), 2),
        removed(AttributionInputs.slash(at(4, 1), 2)),
        inference(at(5, 0), 100, MODEL, "quick brown fox"),
        seal(5));

    assertThat(op.results().get(0).unattributed()).isTrue();
    assertThat(op.sidecar.reopens).doesNotContain(2L);
  }
}
