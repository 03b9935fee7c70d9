package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.openledger.flink.operators.AttributionInputs.at;
import static org.openledger.flink.operators.AttributionInputs.contribution;
import static org.openledger.flink.operators.AttributionInputs.failedContribution;
import static org.openledger.flink.operators.AttributionInputs.inference;
import static org.openledger.flink.operators.AttributionInputs.model;
import static org.openledger.flink.operators.AttributionInputs.params;
import static org.openledger.flink.operators.AttributionInputs.seal;
import static org.openledger.flink.operators.AttributionInputs.slash;

import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.attribution.Duplicate;
import org.openledger.flink.sidecar.IndexRow;

/**
 * The operator owns the truth and the sidecar a copy: after a restore from a snapshot, or when the
 * sidecar restarts and says it is not ready, the copy is reset and re-seeded from state, and every
 * inference is still answered exactly once, the same as without the restart.
 */
class AttributionOperatorRestartTest {

  static final String FOX = AttributionOperatorTest.FOX;
  static final long MODEL = AttributionOperatorTest.MODEL;

  /** Governance, a model, an open, a duplicate, a slashed and a failed contribution. */
  private static void history(AttributionHarness op) throws Exception {
    op.send(
        params(at(1, 0), 1, 3, 100_000, 900_000),
        model(at(1, 1), MODEL, 1),
        contribution(at(2, 0), 1, FOX),
        contribution(at(3, 0), 2, FOX),
        contribution(at(3, 1), 3, "quick brown fox"),
        slash(at(4, 0), 3),
        failedContribution(at(4, 1), 4, "content of file:///4 is empty"),
        seal(4));
  }

  @Test
  void shouldResetTheSidecarOnceBeforeTheFirstRecordWhenStartingEmpty() throws Exception {
    try (AttributionHarness op = AttributionHarness.open()) {
      assertThat(op.sidecar.opened).isEqualTo(1);

      op.send(seal(1), seal(2), seal(3));

      assertThat(op.sidecar.resets).isEqualTo(1);
      assertThat(op.sidecar.readies).isEqualTo(1);
      assertThat(op.sidecar.indexCalls).isEmpty();
    }
  }

  @Test
  void shouldReseedTheSidecarFromStateAndAttributeTheSameWhenRestoredFromASnapshot()
      throws Exception {
    OperatorSubtaskState snapshot;
    List<Attribution> uninterrupted;
    try (AttributionHarness first = AttributionHarness.open()) {
      history(first);
      first.send(inference(at(5, 0), 100, MODEL, "quick brown fox"));
      snapshot = first.snapshot();
      first.send(seal(5));
      uninterrupted = first.results();
    }

    try (AttributionHarness restored = AttributionHarness.restore(snapshot)) {
      restored.send(seal(5));

      FakeSidecar fresh = restored.sidecar;
      assertThat(fresh.resets).isEqualTo(1);
      assertThat(fresh.readies).isEqualTo(1);
      assertThat(fresh.indexCalls).allSatisfy(c -> assertThat(c.matches()).isFalse());
      assertThat(fresh.indexedIds()).containsExactly(1L, 2L, 3L); // by block, then id
      assertThat(fresh.indexCalls.get(0).rows())
          .extracting(IndexRow::activeFrom, IndexRow::activeTo)
          .containsExactly(
              tuple(2L, null),
              tuple(3L, 3L), // the duplicate: never active
              tuple(3L, 4L)); // slashed at 4
      assertThat(restored.results()).hasSize(1);
      assertThat(restored.results())
          .usingRecursiveFieldByFieldElementComparator()
          .isEqualTo(uninterrupted);
      assertThat(uninterrupted.get(0).contributionIds()).containsExactly(1L);
    }
  }

  @Test
  void shouldRetractAfterARestoreWhenAResultEmittedBeforeTheSnapshotIsReorgedAway()
      throws Exception {
    OperatorSubtaskState snapshot;
    ChainInput paid = inference(at(5, 0), 100, MODEL, "quick brown fox");
    try (AttributionHarness first = AttributionHarness.open()) {
      history(first);
      first.send(paid, seal(5));
      snapshot = first.snapshot();
    }

    try (AttributionHarness restored = AttributionHarness.restore(snapshot)) {
      restored.send(AttributionInputs.removed(paid));

      assertThat(restored.results())
          .singleElement()
          .satisfies(a -> assertThat(a.removed()).isTrue());
    }
  }

  @Test
  void shouldReseedAndStillAnswerEachInferenceOnceWhenTheSidecarRestarted() throws Exception {
    try (AttributionHarness op = AttributionHarness.open()) {
      history(op);
      op.send(inference(at(5, 0), 100, MODEL, "quick brown fox"), seal(5));

      op.sidecar.restart();
      op.send(
          inference(at(6, 0), 101, MODEL, "quick brown fox"),
          inference(at(6, 1), 102, MODEL, "the lazy dog"),
          seal(6));

      assertThat(op.results())
          .extracting(Attribution::inferenceId)
          .containsExactly(100L, 101L, 102L);
      assertThat(op.results().get(1))
          .usingRecursiveComparison()
          .comparingOnlyFields("contributionIds", "scorePpms", "ranks", "weights")
          .isEqualTo(op.results().get(0));
      assertThat(op.results().get(2).contributionIds()).containsExactly(1L);
      assertThat(op.sidecar.resets).isEqualTo(2);
      assertThat(op.sidecar.isReady()).isTrue();
      assertThat(op.sidecar.scoreCalls).isEqualTo(3); // one before, one refused, one retried
      assertThat(op.sidecar.row(1, 2)).hasValueSatisfying(r -> assertThat(r.to()).isEqualTo(3L));
    }
  }

  @Test
  void shouldRejectAnUnusableInferenceOnceWhenTheSidecarRestartedBeforeItsSeal() throws Exception {
    try (AttributionHarness op = AttributionHarness.open()) {
      history(op);

      op.sidecar.restart();
      op.send(
          inference(at(5, 0), 100, 99, "quick brown fox"),
          inference(at(5, 1), 101, MODEL, "quick brown fox"),
          seal(5));

      assertThat(op.results()).extracting(Attribution::inferenceId).containsExactly(100L, 101L);
      assertThat(op.rejections()).filteredOn(r -> r.stage().equals("attribution")).hasSize(1);
    }
  }

  @Test
  void shouldStillFlagADuplicateWhenTheSidecarRestartedBeforeItWasIndexed() throws Exception {
    try (AttributionHarness op = AttributionHarness.open()) {
      history(op);

      op.sidecar.restart();
      op.send(
          contribution(at(5, 0), 5, FOX),
          inference(at(6, 0), 100, MODEL, "quick brown fox"),
          seal(6));

      assertThat(op.duplicates()).extracting(Duplicate::contributionId).containsExactly(2L, 5L);
      assertThat(op.results().get(0).contributionIds()).containsExactly(1L);
    }
  }

  @Test
  void shouldApplyAClosingEventWhenTheSidecarRestartedBeforeIt() throws Exception {
    try (AttributionHarness op = AttributionHarness.open()) {
      history(op);

      op.sidecar.restart();
      op.send(slash(at(5, 0), 1), inference(at(5, 1), 100, MODEL, "quick brown fox"), seal(5));

      assertThat(op.results()).singleElement().matches(Attribution::unattributed);
    }
  }

  @Test
  void shouldRejectTheRecordsOfASecondChainAndKeepFollowingTheFirst() throws Exception {
    long other = AttributionInputs.CHAIN + 1;
    try (AttributionHarness op = AttributionHarness.open()) {
      history(op);

      op.send(
          params(at(other, 1, 0, 0), 1, 3, 100_000, 900_000),
          inference(at(5, 0), 100, MODEL, "quick brown fox"),
          seal(5));

      assertThat(op.rejections())
          .filteredOn(r -> r.chainId() == other)
          .singleElement()
          .satisfies(
              r -> assertThat(r.reason()).contains("follows chain").contains("chain " + other));
      assertThat(op.results()).extracting(Attribution::inferenceId).containsExactly(100L);
    }
  }
}
