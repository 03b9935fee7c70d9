package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openledger.flink.operators.AttributionInputs.at;
import static org.openledger.flink.operators.AttributionInputs.contribution;
import static org.openledger.flink.operators.AttributionInputs.inference;
import static org.openledger.flink.operators.AttributionInputs.model;
import static org.openledger.flink.operators.AttributionInputs.params;
import static org.openledger.flink.operators.AttributionInputs.removed;
import static org.openledger.flink.operators.AttributionInputs.seal;

import java.time.Duration;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;
import org.openledger.flink.AttributionJob;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.attribution.Rejection;

/**
 * The sealed queue's mechanics: when it is scored (full, deadline, before an event, end of input),
 * that its timers exist only while it holds inferences, and that it survives a restore.
 */
class AttributionOperatorQueueTest {

  static final String FOX = AttributionOperatorTest.FOX;
  static final long MODEL = AttributionOperatorTest.MODEL;
  static final AttributionJob.Batching TEN_BY_100_MS =
      new AttributionJob.Batching(10, Duration.ofMillis(100));

  private static AttributionHarness opened() throws Exception {
    AttributionHarness op = AttributionHarness.open(TEN_BY_100_MS);
    op.send(
        params(at(1, 0), 1, 3, 100_000, 900_000),
        model(at(1, 1), MODEL, 1),
        contribution(at(2, 0), 1, FOX),
        seal(2));
    return op;
  }

  /** One inference in each block from {@code first} to {@code last}, each block sealed. */
  private static void blocks(AttributionHarness op, long first, long last) throws Exception {
    for (long b = first; b <= last; b++) {
      op.send(inference(at(b, 0), 100 + b, MODEL, "quick brown fox"), seal(b));
    }
  }

  @Test
  void shouldScoreManySealsInOneSidecarCallWhenTheDeadlinePasses() throws Exception {
    try (AttributionHarness op = opened()) {
      blocks(op, 3, 8);
      assertThat(op.results()).isEmpty();
      assertThat(op.sidecar.scoreCalls).isZero();
      assertThat(op.harness.numProcessingTimeTimers()).isEqualTo(1);
      assertThat(op.harness.numEventTimeTimers()).isEqualTo(1);

      op.at(99);
      assertThat(op.results()).isEmpty();
      op.at(100);

      assertThat(op.results())
          .extracting(Attribution::inferenceId)
          .containsExactly(103L, 104L, 105L, 106L, 107L, 108L);
      assertThat(op.sidecar.scoreCalls).isEqualTo(1);
      assertThat(op.harness.numProcessingTimeTimers()).isZero();
      assertThat(op.harness.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void shouldScoreAtOnceAndDropTheTimersWhenTheQueueIsFull() throws Exception {
    try (AttributionHarness op = opened()) {
      blocks(op, 3, 11);
      assertThat(op.results()).isEmpty();

      blocks(op, 12, 12);

      assertThat(op.results()).hasSize(10);
      assertThat(op.sidecar.scoreCalls).isEqualTo(1);
      assertThat(op.harness.numProcessingTimeTimers()).isZero();
      assertThat(op.harness.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void shouldNeverSetATimerWhenEachSealIsScoredOnArrival() throws Exception {
    try (AttributionHarness op = AttributionHarness.open()) {
      op.send(params(at(1, 0), 1, 3, 100_000, 900_000), model(at(1, 1), MODEL, 1));
      blocks(op, 3, 5);

      assertThat(op.results()).hasSize(3);
      assertThat(op.sidecar.scoreCalls).isEqualTo(3);
      assertThat(op.harness.numProcessingTimeTimers()).isZero();
      assertThat(op.harness.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void shouldScoreTheQueueBeforeAModelIsRegisteredWhenAQueuedInferenceNamesIt() throws Exception {
    try (AttributionHarness op = opened()) {
      op.send(inference(at(3, 0), 100, 9, "quick brown fox"), seal(3));

      op.send(model(at(4, 0), 9, 1));

      assertThat(op.results()).singleElement().matches(Attribution::unattributed);
      assertThat(op.rejections())
          .extracting(Rejection::reason)
          .containsExactly("unknown model 9 for inference 100");
    }
  }

  @Test
  void shouldScoreThenRetractAQueuedInferenceWhenItsBlockIsReorgedAway() throws Exception {
    try (AttributionHarness op = opened()) {
      ChainInput paid = inference(at(3, 0), 100, MODEL, "quick brown fox");
      op.send(paid, seal(3));

      op.send(removed(paid));

      assertThat(op.results()).extracting(Attribution::removed).containsExactly(false, true);
      assertThat(op.harness.numProcessingTimeTimers()).isZero();
    }
  }

  @Test
  void shouldKeepTheQueueWhenALaterBlocksEventArrives() throws Exception {
    try (AttributionHarness op = opened()) {
      op.send(inference(at(3, 0), 100, MODEL, "quick brown fox"), seal(3));

      op.send(contribution(at(4, 0), 2, "quick brown fox"), params(at(4, 1), 2, 1, 0, 900_000));

      assertThat(op.results()).isEmpty();
      op.at(100);
      assertThat(op.results().get(0).contributionIds()).containsExactly(1L);
      assertThat(op.results().get(0).paramsVersion()).isEqualTo(1);
    }
  }

  @Test
  void shouldScoreWhatIsQueuedWhenTheInputEnds() throws Exception {
    try (AttributionHarness op = opened()) {
      blocks(op, 3, 4);

      op.harness.processWatermark(Long.MAX_VALUE);

      assertThat(op.results()).hasSize(2);
      assertThat(op.harness.numProcessingTimeTimers()).isZero();
    }
  }

  @Test
  void shouldScoreQueuedInferencesExactlyOnceAfterARestore() throws Exception {
    OperatorSubtaskState snapshot;
    List<Attribution> uninterrupted;
    try (AttributionHarness first = opened()) {
      blocks(first, 3, 5);
      snapshot = first.snapshot();
      first.at(100);
      uninterrupted = first.results();
    }

    try (AttributionHarness restored = AttributionHarness.restore(snapshot, TEN_BY_100_MS)) {
      assertThat(restored.harness.numProcessingTimeTimers()).isEqualTo(1);
      assertThat(restored.harness.numEventTimeTimers()).isEqualTo(1);
      assertThat(restored.results()).isEmpty();

      restored.at(100);
      restored.at(1_000);
      restored.send(seal(6));
      restored.harness.processWatermark(Long.MAX_VALUE);

      assertThat(restored.results())
          .usingRecursiveFieldByFieldElementComparator()
          .containsExactlyElementsOf(uninterrupted)
          .hasSize(3);
      assertThat(restored.sidecar.resets).isEqualTo(1); // re-seeded before the timer scored
      assertThat(restored.sidecar.scoreCalls).isEqualTo(1);
    }
  }

  @Test
  void shouldNeverPoolTwoEventsOfOneInferenceIdIntoOneResultWhenTheyShareACall() throws Exception {
    try (AttributionHarness op = opened()) {
      // Two InferencePaid events of one id in one block (a redelivered event): each is scored
      // on its own; pooled, the answer by id would list contribution 1 twice.
      op.send(
          inference(at(3, 0), 100, MODEL, "quick brown fox"),
          inference(at(3, 1), 100, MODEL, "quick brown fox"),
          seal(3));

      op.at(100);

      assertThat(op.results()).hasSize(2);
      for (Attribution a : op.results()) {
        assertThat(a.contributionIds()).containsExactly(1L);
      }
    }
  }

  @Test
  void shouldAskEachSealAgainWhenTheSidecarRefusesTheMergedCall() throws Exception {
    try (AttributionHarness op = opened()) {
      op.sidecar.refuseQueriesWith("REFUSE");
      op.send(inference(at(3, 0), 100, MODEL, "quick brown fox"), seal(3));
      op.send(inference(at(4, 0), 101, MODEL, "REFUSE quick fox"), seal(4));
      op.send(inference(at(5, 0), 102, MODEL, "quick brown fox"), seal(5));

      op.at(100);

      assertThat(op.results())
          .extracting(Attribution::unattributed)
          .containsExactly(false, true, false);
      assertThat(op.rejections())
          .extracting(Rejection::reason)
          .containsExactly("sidecar refused: row 0: query 101 cannot be encoded");
      assertThat(op.sidecar.scoreCalls).isEqualTo(4); // merged, then one per seal
    }
  }
}
