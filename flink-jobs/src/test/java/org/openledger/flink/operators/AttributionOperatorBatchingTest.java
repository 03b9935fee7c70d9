package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openledger.flink.operators.AttributionInputs.at;
import static org.openledger.flink.operators.AttributionInputs.contribution;
import static org.openledger.flink.operators.AttributionInputs.failedInference;
import static org.openledger.flink.operators.AttributionInputs.inference;
import static org.openledger.flink.operators.AttributionInputs.model;
import static org.openledger.flink.operators.AttributionInputs.params;
import static org.openledger.flink.operators.AttributionInputs.removed;
import static org.openledger.flink.operators.AttributionInputs.seal;
import static org.openledger.flink.operators.AttributionInputs.slash;
import static org.openledger.flink.operators.AttributionInputs.withdraw;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openledger.flink.AttributionJob;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.attribution.Duplicate;
import org.openledger.flink.attribution.Rejection;

/**
 * Batching seals into sidecar calls changes how often the sidecar is called, never what the job
 * writes: one log, fed scoring each seal on arrival and with queues flushed by size, by deadline,
 * before events and at the end of input, gives the same results, dead letters, slash proposals and
 * kept results, byte for byte and in the same order.
 */
class AttributionOperatorBatchingTest {

  static final String FOX = AttributionOperatorTest.FOX;
  static final String BIRD = AttributionOperatorTest.BIRD;
  static final long MODEL = AttributionOperatorTest.MODEL;
  static final long OTHER_MODEL = 9;

  /** What one run wrote, and what it kept. */
  record Written(
      List<Attribution> results,
      List<Rejection> rejections,
      List<Duplicate> duplicates,
      Map<Long, Attribution> keptBeforeSweep,
      Map<Long, Attribution> kept,
      int scoreCalls) {}

  /**
   * Every kind of record, one inference per block mostly, and the events that must see the queue
   * scored first: a model registered for a queued inference, removals (a retracted inference, a
   * reopened contribution), a contribution, params and a closer arriving for a block already
   * sealed, a query the sidecar refuses beside one it accepts, an inference id repeated (malformed,
   * but answered the same) and a deep sweep of kept results.
   */
  static List<ChainInput> log() {
    List<ChainInput> log = new ArrayList<>();
    log.add(params(at(1, 0), 1, 3, 100_000, 900_000));
    log.add(model(at(1, 1), MODEL, 1));
    log.add(contribution(at(2, 0), 1, FOX));
    log.add(contribution(at(2, 1), 2, BIRD));
    log.add(contribution(at(2, 2), 3, "the quick brown fox runs far away"));
    log.add(contribution(at(2, 3), 4, FOX)); // a duplicate of 1: a slash proposal
    log.add(seal(2));
    String[] queries = {"quick brown fox", "early bird worm", "lazy dog", "fox runs far", "bird"};
    for (long b = 3; b <= 7; b++) {
      log.add(inference(at(b, 0), 100 + b, MODEL, queries[(int) b % queries.length]));
      log.add(seal(b));
    }
    log.add(failedInference(at(8, 0), 108, MODEL, "query of file:///108 is empty"));
    log.add(inference(at(8, 1), 109, OTHER_MODEL, "quick brown fox")); // not registered yet
    log.add(slash(at(8, 2), 1));
    log.add(inference(at(8, 3), 110, MODEL, "quick brown fox"));
    log.add(seal(8));
    log.add(model(at(9, 0), OTHER_MODEL, 1)); // 109 was unknown when sealed: stays unattributed
    log.add(inference(at(9, 1), 111, OTHER_MODEL, "early bird"));
    log.add(seal(9));
    log.add(params(at(10, 0), 2, 2, 50_000, 900_000)); // a second group from block 10
    log.add(inference(at(10, 1), 112, MODEL, "the quick fox"));
    log.add(inference(at(10, 2), 113, MODEL, "REFUSE quick fox"));
    log.add(inference(at(10, 3), 114, MODEL, "early bird"));
    log.add(seal(10));
    ChainInput doomed = inference(at(11, 0), 115, MODEL, "quick brown fox");
    ChainInput closer = withdraw(at(11, 1), 2);
    log.add(doomed);
    log.add(closer);
    log.add(seal(11));
    log.add(removed(closer)); // reorg of block 11: bird reopens; 115's result is retracted
    log.add(removed(doomed));
    log.add(inference(at(11, 0, 1), 115, MODEL, "early bird catches"));
    log.add(seal(at(11, -1, 1)));
    log.add(inference(at(12, 0), 116, MODEL, "quick brown fox runs"));
    log.add(seal(12));
    log.add(contribution(at(12, 5), 5, "quick brown fox runs")); // late, in a sealed block
    log.add(inference(at(13, 0), 117, MODEL, "quick brown fox runs"));
    log.add(seal(13));
    log.add(params(at(13, 4), 3, 1, 0, 900_000)); // late too: 117 sees it if scored after
    log.add(inference(at(14, 0), 118, MODEL, "the lazy dog"));
    log.add(seal(14));
    log.add(slash(at(14, 1), 3)); // a late closer
    for (long b = 15; b <= 24; b++) {
      for (int i = 0; i < (b % 4 == 0 ? 3 : 1); i++) {
        log.add(inference(at(b, i), 1000 + 10 * b + i, MODEL, queries[(int) (b + i) % 5]));
      }
      if (b == 21 || b == 22) { // malformed logs: an id again in its seal, then in the next seal
        log.add(failedInference(at(b, 7), 1210, MODEL, "query of file:///1210 is empty"));
      }
      log.add(seal(b));
    }
    log.add(removed(inference(at(24, 0), 1240, MODEL, queries[4]))); // retract a recent result
    log.add(seal(100));
    log.add(seal(200)); // sweeps kept results older than the window
    log.add(inference(at(201, 0), 2010, MODEL, "quick brown fox"));
    log.add(seal(201));
    return log;
  }

  /** Feeds {@link #log()}, advancing processing time by 60 ms every {@code tickEvery} records. */
  static Written run(AttributionJob.Batching batching, int tickEvery) throws Exception {
    try (AttributionHarness op = AttributionHarness.open(batching)) {
      op.sidecar.refuseQueriesWith("REFUSE");
      long now = 0;
      int i = 0;
      Map<Long, Attribution> beforeSweep = Map.of();
      for (ChainInput in : log()) {
        op.send(in);
        if (in.removed() && in.id() == 1240) {
          beforeSweep = op.emittedState();
        }
        if (tickEvery > 0 && ++i % tickEvery == 0) {
          op.at(now += 60);
        }
      }
      op.harness.processWatermark(Long.MAX_VALUE); // the input ends: what is queued is scored
      assertThat(op.harness.numProcessingTimeTimers()).isZero();
      assertThat(op.harness.numEventTimeTimers()).isZero();
      return new Written(
          op.results(),
          op.rejections(),
          op.duplicates(),
          beforeSweep,
          op.emittedState(),
          op.sidecar.scoreCalls);
    }
  }

  static Stream<Arguments> batchings() {
    Duration delay = Duration.ofMillis(100);
    return Stream.of(
        Arguments.of(new AttributionJob.Batching(1024, delay), 1),
        Arguments.of(new AttributionJob.Batching(1024, delay), 3),
        Arguments.of(new AttributionJob.Batching(1024, delay), 0),
        Arguments.of(new AttributionJob.Batching(3, delay), 5),
        Arguments.of(new AttributionJob.Batching(2, Duration.ofMillis(1)), 1));
  }

  @ParameterizedTest
  @MethodSource("batchings")
  void shouldWriteExactlyWhatPerSealScoringWritesWhenSealsAreBatched(
      AttributionJob.Batching batching, int tickEvery) throws Exception {
    Written perSeal = run(AttributionJob.Batching.perSeal(), 1);

    Written batched = run(batching, tickEvery);

    assertThat(batched.results())
        .usingRecursiveFieldByFieldElementComparator()
        .containsExactlyElementsOf(perSeal.results());
    assertThat(batched.rejections()).containsExactlyElementsOf(perSeal.rejections());
    assertThat(batched.duplicates()).containsExactlyElementsOf(perSeal.duplicates());
    assertThat(batched.keptBeforeSweep())
        .usingRecursiveComparison()
        .isEqualTo(perSeal.keptBeforeSweep());
    assertThat(batched.kept()).usingRecursiveComparison().isEqualTo(perSeal.kept());
  }

  @Test
  void shouldCoverEveryPathOfTheLogWhenScoredPerSeal() throws Exception {
    Written perSeal = run(AttributionJob.Batching.perSeal(), 1);

    assertThat(perSeal.results()).filteredOn(Attribution::removed).hasSize(2);
    assertThat(perSeal.rejections())
        .extracting(Rejection::reason)
        .anyMatch(r -> r.startsWith("sidecar refused: row 1"))
        .anyMatch(r -> r.startsWith("query:"))
        .anyMatch(r -> r.startsWith("unknown model 9"));
    assertThat(perSeal.duplicates()).isNotEmpty();
    assertThat(perSeal.keptBeforeSweep()).doesNotContainKey(1240L).containsKey(1241L);
    assertThat(perSeal.keptBeforeSweep().get(115L).blockHash())
        .isEqualTo(AttributionInputs.blockHash(11, 1));
    assertThat(perSeal.kept()).containsOnlyKeys(2010L);
  }
}
