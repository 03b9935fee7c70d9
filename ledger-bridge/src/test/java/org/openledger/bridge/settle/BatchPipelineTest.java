package org.openledger.bridge.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openledger.pipeline.PayoutBatch;

class BatchPipelineTest {

  /**
   * A writer whose batches each take a scripted number of looks: {@code waitBeforePropose} looks
   * before the proposal may leave (its window not yet closed), then one look to send it, then
   * {@code looksToPay} looks until paid. Records the order proposals left in.
   */
  private static final class ScriptedSteps implements BatchPipeline.Steps {
    final Map<String, int[]> script = new HashMap<>(); // id -> {waitBeforePropose, looksToPay}
    final Map<String, Integer> looks = new HashMap<>();
    final List<String> proposed = new ArrayList<>();
    final List<String> refuse = new ArrayList<>();
    int failNext;

    void batch(String id, int waitBeforePropose, int looksToPay) {
      script.put(id, new int[] {waitBeforePropose, looksToPay});
    }

    @Override
    public SettlementWriter.Prepared prepare(PayoutBatch batch) {
      String id = batch.getBatchId();
      if (refuse.contains(id)) {
        return new SettlementWriter.Prepared(
            null, new SettlementWriter.Outcome(SettlementWriter.Outcome.Kind.REFUSED, "bad"));
      }
      return new SettlementWriter.Prepared(new SettlementWriter.InFlight(id, null), null);
    }

    @Override
    public SettlementWriter.Outcome step(SettlementWriter.InFlight f, boolean mayPropose)
        throws IOException {
      if (failNext > 0) {
        failNext--;
        throw new IOException("node down");
      }
      int[] s = script.get(f.id);
      if (!f.proposalOut()) {
        if (!mayPropose) {
          return null; // waits for an earlier window's proposal
        }
        if (s[0] > 0) {
          s[0]--;
          return null; // its window is not closed yet: not sent
        }
        proposed.add(f.id);
        f.proposalOut(true);
        return null;
      }
      int n = looks.merge(f.id, 1, Integer::sum);
      return n >= s[1]
          ? new SettlementWriter.Outcome(SettlementWriter.Outcome.Kind.SETTLED, "")
          : null;
    }
  }

  private static PayoutBatch batch(String id) {
    return PayoutBatch.newBuilder()
        .setBatchId(id)
        .setChainId(1337)
        .setWindowStart(0)
        .setWindowEnd(0)
        .setSubBatch(0)
        .setSubBatchCount(1)
        .setPayees(List.of())
        .setAmounts(List.of())
        .setTotal(java.math.BigDecimal.ZERO)
        .setMerkleRoot("0x")
        .build();
  }

  private static List<String> run(BatchPipeline<String> pipeline, int passes)
      throws InterruptedException {
    List<String> done = new ArrayList<>();
    for (int i = 0; i < passes && !pipeline.isEmpty(); i++) {
      pipeline.advance().forEach(d -> done.add(d.source()));
    }
    return done;
  }

  @Test
  void shouldHandBatchesBackInOrderWhenALaterOneIsPaidFirst() throws Exception {
    ScriptedSteps steps = new ScriptedSteps();
    steps.batch("a", 0, 5);
    steps.batch("b", 0, 1);
    BatchPipeline<String> pipeline = new BatchPipeline<>(steps, new SettlementMetrics(), 4, 10);
    pipeline.add("a", batch("a"), null);
    pipeline.add("b", batch("b"), null);

    List<String> firstPasses = run(pipeline, 3);

    assertThat(steps.proposed).containsExactly("a", "b"); // both in flight at once
    assertThat(firstPasses).isEmpty(); // b is paid, but a is not: nothing handed back yet
    assertThat(run(pipeline, 10)).containsExactly("a", "b");
  }

  @Test
  void shouldHoldLaterProposalsWhenAnEarlierWindowCannotBeProposedYet() throws Exception {
    ScriptedSteps steps = new ScriptedSteps();
    steps.batch("a", 3, 1); // its window closes only after 3 looks
    steps.batch("b", 0, 1);
    steps.batch("c", 0, 1);
    BatchPipeline<String> pipeline = new BatchPipeline<>(steps, new SettlementMetrics(), 4, 10);
    pipeline.add("a", batch("a"), null);
    pipeline.add("b", batch("b"), null);
    pipeline.add("c", batch("c"), null);

    run(pipeline, 3);
    assertThat(steps.proposed).isEmpty();

    assertThat(run(pipeline, 10)).containsExactly("a", "b", "c");
    assertThat(steps.proposed).containsExactly("a", "b", "c");
  }

  @Test
  void shouldPassRefusedAndUndecodableBatchesThroughInOrderWithTheirReasons() throws Exception {
    ScriptedSteps steps = new ScriptedSteps();
    steps.batch("a", 0, 2);
    steps.refuse.add("b");
    BatchPipeline<String> pipeline = new BatchPipeline<>(steps, new SettlementMetrics(), 4, 10);
    pipeline.add("a", batch("a"), null);
    pipeline.add("b", batch("b"), null);
    pipeline.add("x", null, "undecodable payout batch: bad magic");

    List<BatchPipeline.Done<String>> done = new ArrayList<>();
    for (int i = 0; i < 10 && !pipeline.isEmpty(); i++) {
      done.addAll(pipeline.advance());
    }

    assertThat(done).extracting(BatchPipeline.Done::source).containsExactly("a", "b", "x");
    assertThat(done)
        .extracting(BatchPipeline.Done::refusal)
        .containsExactly(null, "bad", "undecodable payout batch: bad magic");
    assertThat(steps.proposed).containsExactly("a");
  }

  @Test
  void shouldHoldLaterProposalsUntilARefusedBatchIsHandedBack() throws Exception {
    ScriptedSteps steps = new ScriptedSteps();
    steps.batch("a", 0, 3);
    steps.refuse.add("b"); // refused, but behind a: not handed back before a is paid
    steps.batch("c", 0, 1);
    BatchPipeline<String> pipeline = new BatchPipeline<>(steps, new SettlementMetrics(), 4, 10);
    pipeline.add("a", batch("a"), null);
    pipeline.add("b", batch("b"), null);
    pipeline.add("c", batch("c"), null);

    run(pipeline, 2);
    assertThat(steps.proposed).containsExactly("a");

    assertThat(run(pipeline, 10)).containsExactly("a", "b", "c");
    assertThat(steps.proposed).containsExactly("a", "c");
  }

  @Test
  void shouldCountANodeErrorAndCarryOnWhenTheNodeAnswersAgain() throws Exception {
    ScriptedSteps steps = new ScriptedSteps();
    steps.batch("a", 0, 1);
    steps.failNext = 2;
    SettlementMetrics metrics = new SettlementMetrics();
    BatchPipeline<String> pipeline = new BatchPipeline<>(steps, metrics, 4, 10);
    pipeline.add("a", batch("a"), null);

    assertThat(run(pipeline, 10)).containsExactly("a");
    assertThat(metrics.transientErrors.get()).isEqualTo(2);
  }

  @Test
  void shouldHaveRoomForAtMostMaxInFlightBatches() {
    ScriptedSteps steps = new ScriptedSteps();
    BatchPipeline<String> pipeline = new BatchPipeline<>(steps, new SettlementMetrics(), 2, 10);
    steps.batch("a", 0, 1);
    steps.batch("b", 0, 1);
    pipeline.add("a", batch("a"), null);
    assertThat(pipeline.hasRoom()).isTrue();
    pipeline.add("b", batch("b"), null);
    assertThat(pipeline.hasRoom()).isFalse();
  }
}
