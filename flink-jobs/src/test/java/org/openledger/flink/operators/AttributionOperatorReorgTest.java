package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openledger.flink.operators.AttributionInputs.at;
import static org.openledger.flink.operators.AttributionInputs.contribution;
import static org.openledger.flink.operators.AttributionInputs.inference;
import static org.openledger.flink.operators.AttributionInputs.model;
import static org.openledger.flink.operators.AttributionInputs.params;
import static org.openledger.flink.operators.AttributionInputs.removed;
import static org.openledger.flink.operators.AttributionInputs.seal;
import static org.openledger.flink.operators.AttributionInputs.slash;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.ChainInput;

/**
 * Closing events and reorgs: a slash closes a contribution from its block, its retraction reopens
 * it, and a result whose inference's block left the chain is retracted with the same inference id.
 */
class AttributionOperatorReorgTest {

  static final String FOX = AttributionOperatorTest.FOX;
  static final long MODEL = AttributionOperatorTest.MODEL;

  private AttributionHarness op;

  @BeforeEach
  void openOperator() throws Exception {
    op = AttributionHarness.open();
    op.send(
        params(at(1, 0), 1, 3, 100_000, 900_000),
        model(at(1, 1), MODEL, 1),
        contribution(at(2, 0), 1, FOX),
        seal(2));
  }

  @AfterEach
  void closeOperator() throws Exception {
    op.close();
  }

  @Test
  void shouldAttributeToASlashedContributionOnlyBeforeTheSlashBlock() throws Exception {
    op.send(
        inference(at(4, 0), 100, MODEL, "quick brown fox"),
        slash(at(5, 0), 1),
        inference(at(5, 1), 101, MODEL, "quick brown fox"),
        seal(5));

    assertThat(op.results()).extracting(Attribution::inferenceId).containsExactly(100L, 101L);
    assertThat(op.results().get(0).contributionIds()).containsExactly(1L);
    assertThat(op.results().get(1).unattributed()).isTrue();
    assertThat(op.sidecar.row(1, 1)).hasValueSatisfying(r -> assertThat(r.to()).isEqualTo(5L));
  }

  @Test
  void shouldReopenAContributionWhenItsSlashIsRemovedByReorg() throws Exception {
    ChainInput slashed = slash(at(5, 0), 1);
    op.send(slashed, inference(at(5, 1), 101, MODEL, "quick brown fox"), seal(5));
    assertThat(op.results().get(0).unattributed()).isTrue();

    op.send(removed(slashed), inference(at(5, 0, 1), 102, MODEL, "quick brown fox"), seal(5));

    assertThat(op.sidecar.reopens).containsExactly(1L);
    assertThat(op.results()).extracting(Attribution::inferenceId).containsExactly(101L, 102L);
    assertThat(op.results().get(1).contributionIds()).containsExactly(1L);
  }

  @Test
  void shouldStayClosedAtTheNextCloserWhenOnlyTheEarliestIsRemoved() throws Exception {
    ChainInput first = slash(at(5, 0), 1);
    op.send(first, AttributionInputs.withdraw(at(7, 0), 1), removed(first));

    op.send(
        inference(at(6, 0), 100, MODEL, "quick brown fox"),
        inference(at(7, 1), 101, MODEL, "quick brown fox"),
        seal(7));

    assertThat(op.results().get(0).contributionIds()).containsExactly(1L);
    assertThat(op.results().get(1).unattributed()).isTrue();
    assertThat(op.sidecar.row(1, 1)).hasValueSatisfying(r -> assertThat(r.to()).isEqualTo(7L));
  }

  @Test
  void shouldRetractAnEmittedResultWhenItsInferencesBlockIsReorgedAway() throws Exception {
    ChainInput paid = inference(at(3, 0), 100, MODEL, "quick brown fox");
    op.send(paid, seal(3));
    Attribution emitted = op.results().get(0);

    op.send(removed(paid));

    assertThat(op.results()).hasSize(2);
    Attribution retraction = op.results().get(1);
    assertThat(retraction.removed()).isTrue();
    assertThat(retraction.inferenceId()).isEqualTo(100);
    assertThat(retraction).usingRecursiveComparison().ignoringFields("removed").isEqualTo(emitted);
  }

  @Test
  void shouldIgnoreACopyOfAContributionAlreadyIndexed() throws Exception {
    int calls = op.sidecar.indexCalls.size();
    op.send(contribution(at(2, 0), 1, FOX), inference(at(3, 0), 100, MODEL, "quick brown fox"));
    op.send(seal(3));

    assertThat(op.sidecar.indexCalls).hasSize(calls);
    assertThat(op.results()).extracting(Attribution::inferenceId).containsExactly(100L);
    assertThat(op.results().get(0).contributionIds()).containsExactly(1L);
  }

  @Test
  void shouldRetractOnlyOnceWhenTheRemovalIsRepeated() throws Exception {
    ChainInput paid = inference(at(3, 0), 100, MODEL, "quick brown fox");
    op.send(paid, seal(3), removed(paid), removed(paid));

    assertThat(op.results()).extracting(Attribution::removed).containsExactly(false, true);
  }

  @Test
  void shouldNotRetractWhenTheRemovedInferenceWasInAnotherBlock() throws Exception {
    op.send(inference(at(3, 0), 100, MODEL, "quick brown fox"), seal(3));

    op.send(removed(inference(at(3, 0, 1), 100, MODEL, "quick brown fox")));

    assertThat(op.results()).extracting(Attribution::removed).containsExactly(false);
  }

  @Test
  void shouldDropAPendingInferenceWithoutOutputWhenItIsRemovedBeforeItsSeal() throws Exception {
    ChainInput paid = inference(at(3, 0), 100, MODEL, "quick brown fox");
    op.send(paid, removed(paid));

    op.send(seal(3));

    assertThat(op.results()).isEmpty();
  }

  @Test
  void shouldAttributeTheReincludedInferenceAfterItsRetraction() throws Exception {
    ChainInput paid = inference(at(3, 0), 100, MODEL, "quick brown fox");
    op.send(paid, seal(3), removed(paid));

    op.send(inference(at(3, 0, 1), 100, MODEL, "quick brown fox"), seal(3));

    assertThat(op.results()).extracting(Attribution::removed).containsExactly(false, true, false);
    assertThat(op.results().get(2).blockHash()).isEqualTo(AttributionInputs.blockHash(3, 1));
  }

  @Test
  void shouldNotRetractOnceTheResultIsOlderThanTheRetractWindow() throws Exception {
    ChainInput paid = inference(at(3, 0), 100, MODEL, "quick brown fox");
    op.send(paid, seal(3), seal(3 + AttributionHarness.RETRACT_WINDOW_BLOCKS + 1));

    op.send(removed(paid));

    assertThat(op.results()).extracting(Attribution::removed).containsExactly(false);
  }

  @Test
  void shouldForgetAContributionRemovedByReorg() throws Exception {
    ChainInput later = contribution(at(3, 0), 2, "lazy dog sleeps");
    op.send(later, removed(later));

    op.send(inference(at(4, 0), 100, MODEL, "lazy dog sleeps"), seal(4));

    assertThat(op.results().get(0).contributionIds()).containsExactly(1L);
    assertThat(op.sidecar.row(1, 2)).hasValueSatisfying(r -> assertThat(r.to()).isEqualTo(3L));
  }

  @Test
  void shouldReindexAContributionReincludedOnTheNewBranch() throws Exception {
    ChainInput later = contribution(at(3, 0), 2, "lazy dog sleeps");
    op.send(later, removed(later), contribution(at(3, 0, 1), 2, "lazy dog sleeps"));

    op.send(inference(at(4, 0), 100, MODEL, "lazy dog sleeps"), seal(4));

    assertThat(op.results().get(0).contributionIds()).containsExactly(2L, 1L);
  }
}
