package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openledger.flink.operators.AttributionInputs.at;
import static org.openledger.flink.operators.AttributionInputs.contribution;
import static org.openledger.flink.operators.AttributionInputs.inference;
import static org.openledger.flink.operators.AttributionInputs.model;
import static org.openledger.flink.operators.AttributionInputs.params;
import static org.openledger.flink.operators.AttributionInputs.removed;
import static org.openledger.flink.operators.AttributionInputs.seal;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.domain.ShareRule;

/**
 * A governed share rule applies from the block of its ParamsChanged on, never before, as top-k and
 * the threshold do: the inference's block picks the params version, whatever the operator learned
 * in the meantime, and a replay or a restore gives the same weights.
 */
class AttributionOperatorShareRuleTest {

  static final long MODEL = 7;
  static final long THRESHOLD = 100_000;
  static final String QUERY = "the quick bird";

  /**
   * Against QUERY (Jaccard of word sets): contribution 3 scores 2/3, 2 scores 2/6, 1 scores 2/9, so
   * they rank 3, 2, 1 at 666667, 333333 and 222222 ppm.
   */
  static List<ChainInput> setup() {
    return List.of(
        params(at(1, 0), 1, 3, THRESHOLD, 990_000),
        model(at(1, 1), MODEL, 1),
        contribution(at(2, 0), 1, "the quick brown fox jumps over the lazy dog"),
        contribution(at(2, 1), 2, "the early bird catches the worm"),
        contribution(at(2, 2), 3, "quick bird"),
        seal(2));
  }

  /** LINEAR until block 4; TOP1 from its ParamsChanged at block 4; POWER 2 from block 6. */
  static List<ChainInput> governedLog() {
    List<ChainInput> log = new ArrayList<>(setup());
    log.add(inference(at(3, 0), 100, MODEL, QUERY));
    log.add(seal(3));
    log.add(params(at(4, 0), 2, 3, THRESHOLD, 990_000, ShareRule.TOP1));
    log.add(inference(at(4, 1), 101, MODEL, QUERY));
    log.add(seal(4));
    log.add(inference(at(5, 0), 102, MODEL, QUERY));
    log.add(seal(5));
    log.add(params(at(6, 0), 3, 3, THRESHOLD, 990_000, ShareRule.power(2)));
    log.add(inference(at(6, 1), 103, MODEL, QUERY));
    log.add(inference(at(7, 0), 104, MODEL, QUERY));
    log.add(seal(7));
    return log;
  }

  static final long[] LINEAR = {666_667, 333_333, 222_222};
  static final long[] TOP1 = {1, 0, 0};
  static final long[] POWER_2 = {
    566_668L * 566_668L, 233_334L * 233_334L, 122_223L * 122_223L // (ppm − 100000 + 1)²
  };

  @Test
  void shouldWeighEachInferenceByTheRuleInForceAtItsBlock() throws Exception {
    try (AttributionHarness op = AttributionHarness.open()) {
      op.send(governedLog().toArray(ChainInput[]::new));

      List<Attribution> results = op.results();
      assertThat(results)
          .extracting(Attribution::inferenceId)
          .containsExactly(100L, 101L, 102L, 103L, 104L);
      assertThat(results)
          .extracting(Attribution::paramsVersion)
          .containsExactly(1L, 2L, 2L, 3L, 3L);
      assertThat(results)
          .allSatisfy(a -> assertThat(a.contributionIds()).containsExactly(3L, 2L, 1L))
          .allSatisfy(a -> assertThat(a.ranks()).containsExactly(1, 2, 3))
          .allSatisfy(a -> assertThat(a.scorePpms()).containsExactly(LINEAR));
      assertThat(results.get(0).weights()).containsExactly(LINEAR);
      assertThat(results.get(1).weights()).containsExactly(TOP1);
      assertThat(results.get(2).weights()).containsExactly(TOP1);
      assertThat(results.get(3).weights()).containsExactly(POWER_2);
      assertThat(results.get(4).weights()).containsExactly(POWER_2);
      assertThat(op.rejections()).isEmpty();
    }
  }

  @Test
  void shouldKeepTheOldRuleForAnEarlierInferenceScoredAfterTheChangeArrived() throws Exception {
    try (AttributionHarness op = AttributionHarness.open()) {
      op.send(setup().toArray(ChainInput[]::new));
      // Block 3's inference is still pending when block 4's rule change is applied.
      op.send(
          inference(at(3, 0), 100, MODEL, QUERY),
          params(at(4, 0), 2, 3, THRESHOLD, 990_000, ShareRule.TOP1),
          inference(at(4, 1), 101, MODEL, QUERY),
          seal(4));

      assertThat(op.results()).extracting(Attribution::inferenceId).containsExactly(100L, 101L);
      assertThat(op.results().get(0).paramsVersion()).isEqualTo(1);
      assertThat(op.results().get(0).weights()).containsExactly(LINEAR);
      assertThat(op.results().get(1).weights()).containsExactly(TOP1);
    }
  }

  @Test
  void shouldGiveTheSameResultsOnAReplayAndAfterARestore() throws Exception {
    List<ChainInput> log = governedLog();
    List<Attribution> first;
    try (AttributionHarness op = AttributionHarness.open()) {
      op.send(log.toArray(ChainInput[]::new));
      first = op.results();
    }
    List<Attribution> replayed;
    try (AttributionHarness op = AttributionHarness.open()) {
      op.send(log.toArray(ChainInput[]::new));
      replayed = op.results();
    }
    // Stopped after block 6's rule change (POWER 2, in state), restored, and run on.
    int cut = log.indexOf(log.stream().filter(in -> in.block() == 6).findFirst().orElseThrow()) + 1;
    List<Attribution> restored;
    try (AttributionHarness before = AttributionHarness.open()) {
      before.send(log.subList(0, cut).toArray(ChainInput[]::new));
      try (AttributionHarness after = AttributionHarness.restore(before.snapshot())) {
        after.send(log.subList(cut, log.size()).toArray(ChainInput[]::new));
        restored = new ArrayList<>(before.results());
        restored.addAll(after.results());
      }
    }

    assertThat(replayed).usingRecursiveComparison().isEqualTo(first);
    assertThat(restored).usingRecursiveComparison().isEqualTo(first);
  }

  @Test
  void shouldFallBackToTheEarlierRuleWhenAReorgRemovesTheChange() throws Exception {
    try (AttributionHarness op = AttributionHarness.open()) {
      ChainInput top1 = params(at(4, 0), 2, 3, THRESHOLD, 990_000, ShareRule.TOP1);
      op.send(setup().toArray(ChainInput[]::new));
      op.send(top1, removed(top1), inference(at(4, 0, 1), 101, MODEL, QUERY), seal(at(4, -1, 1)));

      assertThat(op.results())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.paramsVersion()).isEqualTo(1);
                assertThat(a.weights()).containsExactly(LINEAR);
              });
    }
  }

  @Test
  void shouldRejectParamsNamingARuleNoContractAllowsAndKeepTheRuleInForce() throws Exception {
    try (AttributionHarness op = AttributionHarness.open()) {
      op.send(setup().toArray(ChainInput[]::new));
      op.send(
          params(at(4, 0), 2, 3, THRESHOLD, 990_000, "POWER", 0),
          inference(at(4, 1), 101, MODEL, QUERY),
          seal(4));

      assertThat(op.rejections())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.stage()).isEqualTo("attribution");
                assertThat(r.reason())
                    .isEqualTo(
                        "params: share rule POWER(0): POWER takes an exponent of 1 to 8, not 0");
              });
      assertThat(op.results().get(0).paramsVersion()).isEqualTo(1);
      assertThat(op.results().get(0).weights()).containsExactly(LINEAR);
    }
  }
}
