package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.openledger.flink.operators.AttributionInputs.at;
import static org.openledger.flink.operators.AttributionInputs.contribution;
import static org.openledger.flink.operators.AttributionInputs.contributor;
import static org.openledger.flink.operators.AttributionInputs.failedContribution;
import static org.openledger.flink.operators.AttributionInputs.failedInference;
import static org.openledger.flink.operators.AttributionInputs.inference;
import static org.openledger.flink.operators.AttributionInputs.model;
import static org.openledger.flink.operators.AttributionInputs.params;
import static org.openledger.flink.operators.AttributionInputs.seal;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.attribution.Rejection;

/**
 * The sequencer on one chain: inferences wait for their block's seal, are answered in chain order,
 * and unusable input (failed content, unknown models, failed queries) is rejected, never
 * attributed.
 */
class AttributionOperatorTest {

  static final String FOX = "the quick brown fox jumps over the lazy dog";
  static final String BIRD = "the early bird catches the worm";
  static final long MODEL = 7;

  private AttributionHarness op;

  @BeforeEach
  void openOperator() throws Exception {
    op = AttributionHarness.open();
    // params v1: top 3, threshold 0.1, duplicate bound 0.9; model 7 over Datanet 1
    op.send(params(at(1, 0), 1, 3, 100_000, 900_000), model(at(1, 1), MODEL, 1), seal(1));
  }

  @AfterEach
  void closeOperator() throws Exception {
    op.close();
  }

  @Test
  void shouldAttributeAnInferenceOnlyOnceItsBlockIsSealed() throws Exception {
    op.send(
        contribution(at(2, 0), 1, FOX),
        seal(2),
        inference(at(3, 0), 100, MODEL, "quick brown fox"));
    assertThat(op.results()).isEmpty();

    op.send(seal(3));

    assertThat(op.results()).hasSize(1);
    Attribution a = op.results().get(0);
    assertThat(a.inferenceId()).isEqualTo(100);
    assertThat(a.removed()).isFalse();
    assertThat(a.unattributed()).isFalse();
    assertThat(a.block()).isEqualTo(3);
    assertThat(a.blockHash()).isEqualTo(AttributionInputs.blockHash(3, 0));
    assertThat(a.modelId()).isEqualTo(MODEL);
    assertThat(a.paramsVersion()).isEqualTo(1);
    assertThat(a.encoderId()).isEqualTo(FakeSidecar.ENCODER);
    assertThat(a.encoderVersion()).isEqualTo("1");
    assertThat(a.contributionIds()).containsExactly(1L);
    assertThat(a.contributors()).containsExactly(contributor(1));
    assertThat(a.ranks()).containsExactly(1);
    assertThat(a.scorePpms()).containsExactly(375_000L); // 3 shared words of 8
    assertThat(a.weights()).containsExactly(375_000L);
    assertThat(op.rejections()).isEmpty();
  }

  @Test
  void shouldEmitNothingMoreWhenLaterSealsFindNothingPending() throws Exception {
    op.send(contribution(at(2, 0), 1, FOX), inference(at(2, 1), 100, MODEL, "quick fox"));
    op.send(seal(2));
    assertThat(op.results()).hasSize(1);

    op.send(seal(2), seal(3), seal(4));

    assertThat(op.results()).hasSize(1);
    assertThat(op.sidecar.scoreCalls).isEqualTo(1);
  }

  @Test
  void shouldKeepAnInferenceOfALaterBlockPendingWhenAnEarlierBlockIsSealed() throws Exception {
    op.send(contribution(at(2, 0), 1, FOX), inference(at(4, 0), 100, MODEL, "quick fox"));

    op.send(seal(3));
    assertThat(op.results()).isEmpty();

    op.send(seal(4));
    assertThat(op.results()).extracting(Attribution::inferenceId).containsExactly(100L);
  }

  @Test
  void shouldEmitInBlockAndLogOrderWhenSeveralInferencesOfSeveralModelsAreSealedTogether()
      throws Exception {
    op.send(
        model(at(2, 0), 8, 2),
        contribution(at(2, 1), 1, FOX),
        contribution(at(2, 2), 2, 2, BIRD),
        inference(at(3, 0), 100, MODEL, "quick fox"),
        inference(at(3, 4), 101, 8, "early bird"),
        inference(at(3, 9), 102, 99, "unknown model"),
        inference(at(4, 1), 103, 8, "the worm"),
        inference(at(4, 2), 104, MODEL, "lazy dog"),
        inference(at(5, 0), 105, MODEL, "brown fox"));

    op.send(seal(5));

    assertThat(op.results())
        .extracting(Attribution::inferenceId)
        .containsExactly(100L, 101L, 102L, 103L, 104L, 105L);
    assertThat(op.results())
        .extracting(a -> a.contributionIds().length == 0 ? -1L : a.contributionIds()[0])
        .containsExactly(1L, 2L, -1L, 2L, 1L, 1L);
  }

  @Test
  void shouldSortPendingInferencesByBlockThenLogIndexWhenTheyArriveOutOfOrder() throws Exception {
    op.send(
        contribution(at(2, 0), 1, FOX),
        inference(at(4, 3), 103, MODEL, "fox"),
        inference(at(3, 10), 101, MODEL, "fox"),
        inference(at(4, 0), 102, MODEL, "fox"),
        inference(at(3, 9), 100, MODEL, "fox"));

    op.send(seal(4));

    assertThat(op.results())
        .extracting(Attribution::inferenceId)
        .containsExactly(100L, 101L, 102L, 103L);
  }

  @Test
  void shouldRankByScoreThenIdAndKeepTopKAtOrAboveTheThreshold() throws Exception {
    op.send(
        params(at(2, 0), 2, 2, 200_000, 900_000),
        contribution(at(2, 1), 1, FOX),
        contribution(at(2, 2), 2, BIRD),
        contribution(at(2, 3), 3, "the worm catches the early bird"), // same words as BIRD: 1.0
        contribution(at(2, 4), 4, "quick"),
        inference(at(3, 0), 100, MODEL, "the quick bird"));

    op.send(seal(3));

    Attribution a = op.results().get(0);
    assertThat(a.paramsVersion()).isEqualTo(2);
    // BIRD 2/6 (id 2 before id 3, which is its duplicate and never active), FOX 2/9, "quick" 1/3
    assertThat(a.contributionIds()).containsExactly(2L, 4L);
    assertThat(a.ranks()).containsExactly(1, 2);
    assertThat(a.scorePpms()).containsExactly(333_333L, 333_333L);
    assertThat(a.weights()).containsExactly(333_333L, 333_333L);
  }

  @Test
  void shouldRejectAndNeverIndexAContributionWhoseContentFailed() throws Exception {
    ChainInput failed = failedContribution(at(2, 0), 1, "content hash mismatch for file:///x");

    op.send(failed, inference(at(3, 0), 100, MODEL, "anything at all"), seal(3));

    assertThat(op.rejections())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.stage()).isEqualTo("content-fetch");
              assertThat(r.reason()).isEqualTo("content hash mismatch for file:///x");
              assertThat(r.eventId()).isEqualTo(failed.eventId());
              assertThat(r.block()).isEqualTo(2);
            });
    assertThat(op.sidecar.indexedIds()).doesNotContain(1L);
    assertThat(op.results()).singleElement().matches(Attribution::unattributed);
  }

  @Test
  void shouldAnswerUnattributedAndRejectWhenTheModelIsUnknown() throws Exception {
    op.send(
        contribution(at(2, 0), 1, FOX), inference(at(3, 0), 100, 99, "quick brown fox"), seal(3));

    assertThat(op.results())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.unattributed()).isTrue();
              assertThat(a.removed()).isFalse();
              assertThat(a.inferenceId()).isEqualTo(100);
              assertThat(a.modelId()).isEqualTo(99);
              assertThat(a.contributionIds()).isEmpty();
              assertThat(a.paramsVersion()).isEqualTo(1);
            });
    assertThat(op.rejections())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.stage()).isEqualTo("attribution");
              assertThat(r.reason()).contains("unknown model 99");
            });
  }

  @Test
  void shouldAnswerUnattributedAndRejectWhenTheQueryCouldNotBeFetched() throws Exception {
    op.send(failedInference(at(3, 0), 100, MODEL, "content of q is empty"), seal(3));

    assertThat(op.results()).singleElement().matches(Attribution::unattributed);
    assertThat(op.rejections())
        .extracting(Rejection::stage, Rejection::reason)
        .containsExactly(tuple("attribution", "query: content of q is empty"));
  }

  @Test
  void shouldAnswerUnattributedWhenNothingIsSimilarEnough() throws Exception {
    op.send(
        contribution(at(2, 0), 1, FOX),
        inference(at(3, 0), 100, MODEL, "nothing in common"),
        seal(3));

    assertThat(op.results()).singleElement().matches(Attribution::unattributed);
    assertThat(op.rejections()).isEmpty();
  }

  @Test
  void shouldStopAttributingFromTheBlockOfAWithdrawalOrARejectingReview() throws Exception {
    op.send(
        contribution(at(2, 0), 1, FOX),
        contribution(at(2, 1), 2, "quick brown fox"),
        AttributionInputs.review(at(3, 0), 1, true), // accepted: still earns
        AttributionInputs.withdraw(at(4, 0), 2),
        inference(at(3, 1), 100, MODEL, "quick brown fox"),
        inference(at(4, 1), 101, MODEL, "quick brown fox"),
        AttributionInputs.review(at(5, 0), 1, false),
        inference(at(5, 1), 102, MODEL, "quick brown fox"),
        seal(5));

    List<Attribution> out = op.results();
    assertThat(out.get(0).contributionIds()).containsExactly(2L, 1L);
    assertThat(out.get(1).contributionIds()).containsExactly(1L);
    assertThat(out.get(2).unattributed()).isTrue();
  }
}
