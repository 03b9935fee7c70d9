package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openledger.flink.operators.AttributionInputs.at;
import static org.openledger.flink.operators.AttributionInputs.contribution;
import static org.openledger.flink.operators.AttributionInputs.inference;
import static org.openledger.flink.operators.AttributionInputs.model;
import static org.openledger.flink.operators.AttributionInputs.params;
import static org.openledger.flink.operators.AttributionInputs.seal;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openledger.events.AttributionMethod;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.sidecar.ScoreMethod;

/**
 * Each inference is scored by its model's registered method: a SPAN model's by span matching (its
 * results say span-match), an EMBEDDING or PRECOMPUTED model's by the embedding index, one sidecar
 * call per method.
 */
class AttributionOperatorMethodTest {

  static final String FOX = "the quick brown fox jumps over the lazy dog";
  static final String SHUFFLED = "dog lazy over jumps fox brown quick and a cat sat";
  static final long EMBEDDING_MODEL = 7;
  static final long SPAN_MODEL = 8;
  static final long PRECOMPUTED_MODEL = 9;

  private AttributionHarness op;

  @BeforeEach
  void openOperator() throws Exception {
    op = AttributionHarness.open();
    op.send(
        params(at(1, 0), 1, 3, 100_000, 900_000),
        model(at(1, 1), EMBEDDING_MODEL, 1),
        model(at(1, 2), SPAN_MODEL, AttributionMethod.SPAN, 1),
        model(at(1, 3), PRECOMPUTED_MODEL, AttributionMethod.PRECOMPUTED, 1),
        seal(1),
        contribution(at(2, 0), 1, FOX),
        contribution(at(2, 1), 2, SHUFFLED),
        seal(2));
  }

  @AfterEach
  void closeOperator() throws Exception {
    op.close();
  }

  @Test
  void shouldScoreASpanModelBySpanAndAnEmbeddingModelByEmbeddingWhenBothAreSealedTogether()
      throws Exception {
    String quote = "he said the quick brown fox jumps over";
    op.send(
        inference(at(3, 0), 100, EMBEDDING_MODEL, quote),
        inference(at(3, 1), 101, SPAN_MODEL, quote),
        inference(at(3, 2), 102, PRECOMPUTED_MODEL, quote),
        seal(3));

    Map<Long, Attribution> by =
        op.results().stream()
            .collect(Collectors.toMap(Attribution::inferenceId, Function.identity()));
    assertThat(op.sidecar.scoreMethods)
        .containsExactlyInAnyOrder(ScoreMethod.EMBEDDING, ScoreMethod.SPAN, ScoreMethod.EMBEDDING);
    // Span: only the contribution holding the quoted run counts; 6 of the query's 8 words.
    assertThat(by.get(101L).encoderId()).isEqualTo("span-match");
    assertThat(by.get(101L).encoderVersion()).isEqualTo("1");
    assertThat(by.get(101L).contributionIds()).containsExactly(1L);
    assertThat(by.get(101L).scorePpms()).containsExactly(750_000L);
    // Embedding (word sets): the reordered text shares most words, so both are paid.
    for (long embedded : new long[] {100L, 102L}) {
      assertThat(by.get(embedded).encoderId()).isEqualTo(FakeSidecar.ENCODER);
      assertThat(by.get(embedded).contributionIds()).containsExactlyInAnyOrder(1L, 2L);
    }
  }

  @Test
  void shouldAnswerASpanModelUnattributedWhenNoSpanIsLongEnough() throws Exception {
    op.send(inference(at(3, 0), 100, SPAN_MODEL, "quick brown dog lazy"), seal(3));

    assertThat(op.results()).hasSize(1);
    assertThat(op.results().get(0).unattributed()).isTrue();
    assertThat(op.sidecar.scoreMethods).containsExactly(ScoreMethod.SPAN);
  }
}
