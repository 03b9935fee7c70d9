package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openledger.flink.operators.AttributionInputs.at;
import static org.openledger.flink.operators.AttributionInputs.contribution;
import static org.openledger.flink.operators.AttributionInputs.inference;
import static org.openledger.flink.operators.AttributionInputs.model;
import static org.openledger.flink.operators.AttributionInputs.params;
import static org.openledger.flink.operators.AttributionInputs.review;
import static org.openledger.flink.operators.AttributionInputs.seal;
import static org.openledger.flink.operators.FakeSidecar.ENCODER;
import static org.openledger.flink.operators.FakeSidecar.OTHER_ENCODER;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openledger.events.AttributionMethod;
import org.openledger.flink.attribution.Attribution;

/**
 * Each model is scored with the encoder it registered: a Datanet is indexed in every encoder a
 * model over it names (its contributions so far from state, later ones as they come), once, and
 * again on every re-seed; a model naming an encoder the pipeline does not run is dead-lettered and
 * its inferences answered unattributed, never a crash.
 */
class AttributionOperatorEncoderTest {

  static final String FOX = "the quick brown fox jumps over the lazy dog";
  static final String FOX_AND_MORE = "the quick brown fox and a great many other words besides";
  static final String CAT = "a cat sat on the mat";
  static final long DEFAULT_MODEL = 7;
  static final long OTHER_MODEL = 8;

  private AttributionHarness op;

  @BeforeEach
  void openOperator() throws Exception {
    op = AttributionHarness.open();
    op.send(
        params(at(1, 0), 1, 3, 100_000, 900_000),
        model(at(1, 1), DEFAULT_MODEL, 1),
        seal(1),
        contribution(at(2, 0), 1, FOX),
        contribution(at(2, 1), 2, FOX_AND_MORE),
        seal(2),
        // registered after contributions 1 and 2: they are indexed in its encoder from state
        model(at(3, 0), OTHER_MODEL, AttributionMethod.EMBEDDING, OTHER_ENCODER, 1),
        seal(3),
        contribution(at(4, 0), 3, CAT),
        seal(4));
  }

  @AfterEach
  void closeOperator() throws Exception {
    op.close();
  }

  @Test
  void shouldScoreEachModelWithItsOwnEncoderWhenTwoModelsReadTheSameDatanet() throws Exception {
    String query = "quick brown fox";
    op.send(
        inference(at(5, 0), 100, DEFAULT_MODEL, query),
        inference(at(5, 1), 101, OTHER_MODEL, query),
        seal(5));

    Map<Long, Attribution> by = byInference();
    assertThat(by.get(100L).encoderId()).isEqualTo(ENCODER);
    assertThat(by.get(101L).encoderId()).isEqualTo(OTHER_ENCODER);
    // Word sets (Jaccard) prefer the short text; containment finds the query whole in both.
    assertThat(by.get(100L).contributionIds()).containsExactly(1L, 2L);
    assertThat(by.get(100L).scorePpms()[0]).isGreaterThan(by.get(100L).scorePpms()[1]);
    assertThat(by.get(101L).scorePpms()).containsExactly(1_000_000L, 1_000_000L);
    assertThat(op.sidecar.model(OTHER_MODEL).orElseThrow().encoder()).isEqualTo(OTHER_ENCODER);
    assertThat(op.sidecar.model(DEFAULT_MODEL).orElseThrow().encoder()).isEqualTo(ENCODER);
  }

  @Test
  void shouldIndexTheDatanetInTheOtherEncoderOnceAndEveryLaterContributionInBoth()
      throws Exception {
    op.send(
        model(at(5, 0), 9, AttributionMethod.EMBEDDING, OTHER_ENCODER, 1), // same encoder again
        seal(5));

    assertThat(op.sidecar.held(ENCODER, 1)).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(op.sidecar.held(OTHER_ENCODER, 1)).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(op.sidecar.indexCalls)
        .filteredOn(c -> c.encoder().equals(OTHER_ENCODER))
        .extracting(c -> c.rows().size())
        .containsExactly(2, 1); // the backfill of 1 and 2, then 3 as it came
    assertThat(op.sidecar.indexCalls)
        .filteredOn(c -> c.encoder().equals(OTHER_ENCODER))
        .allSatisfy(c -> assertThat(c.matches()).isFalse()); // duplicates: default encoder only
  }

  @Test
  void shouldCloseAContributionInEveryEncoderWhenItIsRejected() throws Exception {
    op.send(review(at(5, 0), 1, false), seal(5));

    assertThat(op.sidecar.row(ENCODER, 1, 1))
        .hasValueSatisfying(r -> assertThat(r.to()).isEqualTo(5L));
    assertThat(op.sidecar.row(OTHER_ENCODER, 1, 1))
        .hasValueSatisfying(r -> assertThat(r.to()).isEqualTo(5L));
  }

  @Test
  void shouldDeadLetterAModelWhoseEncoderIsNotRunAndAnswerItsInferencesUnattributed()
      throws Exception {
    op.send(
        model(at(5, 0), 10, AttributionMethod.EMBEDDING, "minilm-l6-v2", 1),
        seal(5),
        inference(at(6, 0), 102, 10, "quick brown fox"),
        seal(6));

    assertThat(op.rejections())
        .extracting(r -> r.reason())
        .containsExactly(
            "model 10 names encoder 'minilm-l6-v2', which this pipeline does not run"
                + " (attribution.encoders); its inferences are not attributed",
            "model 10 names encoder 'minilm-l6-v2', which this pipeline does not run"
                + " (attribution.encoders); its inferences are not attributed: inference 102");
    assertThat(byInference().get(102L).unattributed()).isTrue();
    assertThat(op.sidecar.model(10)).isEmpty();
    assertThat(op.sidecar.indexCalls).noneMatch(c -> c.encoder().equals("minilm-l6-v2"));
  }

  @Test
  void shouldNameTheModelsOwnEncoderWhenTheSidecarRefusesItsQuery() throws Exception {
    op.sidecar.refuseQueriesWith("unencodable");
    op.send(inference(at(5, 0), 106, OTHER_MODEL, "an unencodable query"), seal(5));

    assertThat(byInference().get(106L).unattributed()).isTrue();
    assertThat(byInference().get(106L).encoderId()).isEqualTo(OTHER_ENCODER);
    assertThat(op.rejections())
        .singleElement()
        .satisfies(r -> assertThat(r.reason()).startsWith("sidecar refused: "));
  }

  @Test
  void shouldScoreASpanModelBySpanWhateverEncoderItNames() throws Exception {
    op.send(
        model(at(5, 0), 11, AttributionMethod.SPAN, "minilm-l6-v2", 1),
        seal(5),
        inference(at(6, 0), 103, 11, "he said the fox jumps over the lazy dog"),
        seal(6));

    assertThat(op.rejections()).isEmpty();
    assertThat(byInference().get(103L).encoderId()).isEqualTo("span-match");
    assertThat(byInference().get(103L).contributionIds()).containsExactly(1L);
  }

  @Test
  void shouldRebuildEveryEncodersIndexWhenTheSidecarRestartsOrTheJobIsRestored() throws Exception {
    op.send(review(at(5, 0), 1, false), seal(5));
    op.sidecar.restart(); // lost its copy: the next call finds it not ready
    op.send(inference(at(6, 0), 104, OTHER_MODEL, "cat sat mat"), seal(6));

    assertThat(op.sidecar.resets).isEqualTo(2);
    assertThat(op.sidecar.held(OTHER_ENCODER, 1)).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(op.sidecar.row(OTHER_ENCODER, 1, 1))
        .hasValueSatisfying(r -> assertThat(r.to()).isEqualTo(5L));
    assertThat(byInference().get(104L).contributionIds()).containsExactly(3L);

    OperatorSubtaskState snapshot = op.snapshot();
    try (AttributionHarness restored = AttributionHarness.restore(snapshot)) {
      restored.send(inference(at(7, 0), 105, OTHER_MODEL, "cat sat mat"), seal(7));

      assertThat(restored.sidecar.held(OTHER_ENCODER, 1)).isEqualTo(Set.of(1L, 2L, 3L));
      assertThat(restored.results())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.encoderId()).isEqualTo(OTHER_ENCODER);
                assertThat(r.contributionIds()).containsExactly(3L);
              });
    }
  }

  private Map<Long, Attribution> byInference() {
    return op.results().stream()
        .collect(Collectors.toMap(Attribution::inferenceId, Function.identity(), (a, b) -> b));
  }
}
