package org.openledger.flink;

import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.openledger.flink.attribution.Rejection;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.operators.PaymentOperator;
import org.openledger.flink.payment.Accrual;
import org.openledger.flink.payment.BatchLeaf;
import org.openledger.flink.payment.LedgerSerializer;
import org.openledger.flink.payment.PaymentInput;

/**
 * The payment job: {@code chain.events} (fees, params, owners, seals) and {@code
 * attribution.results} → one ledger per chain that splits every fee to the wei → {@code
 * payout.accruals}, then per closed settlement window {@code payout.batches} and their Merkle
 * leaves, all exactly once. Windows close on the log's seals, not on wall-clock time, so a replay
 * gives the same batches.
 *
 * <p>Parallelism: the ledger (keyed by chain) runs at the job's parallelism and spreads chains over
 * its subtasks; the readers and the writers stay at 1, so each topic is read and written in one
 * order. A savepoint restores at another parallelism (PaymentRescaleIT).
 */
public final class PaymentJob {

  private final Source<PaymentInput, ?, ?> chainEvents;
  private final Source<PaymentInput, ?, ?> attributions;
  private final Sink<Accrual> accruals;
  private final Sink<PayoutBatcher.Batch> batches;
  private final Sink<BatchLeaf> leaves;
  private final Sink<Rejection> deadLetters;
  private final String protocolAddress;
  private final long finalityBlocks;

  public PaymentJob(
      Source<PaymentInput, ?, ?> chainEvents,
      Source<PaymentInput, ?, ?> attributions,
      Sink<Accrual> accruals,
      Sink<PayoutBatcher.Batch> batches,
      Sink<BatchLeaf> leaves,
      Sink<Rejection> deadLetters,
      String protocolAddress,
      long finalityBlocks) {
    this.chainEvents = Objects.requireNonNull(chainEvents, "chainEvents");
    this.attributions = Objects.requireNonNull(attributions, "attributions");
    this.accruals = Objects.requireNonNull(accruals, "accruals");
    this.batches = Objects.requireNonNull(batches, "batches");
    this.leaves = Objects.requireNonNull(leaves, "leaves");
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.protocolAddress = Objects.requireNonNull(protocolAddress, "protocolAddress");
    this.finalityBlocks = finalityBlocks;
  }

  /**
   * Wires the job into {@code env}; every operator has a readable name and a stable uid. The ledger
   * runs at the job's parallelism, everything around it at 1 (see {@link PaymentJob}).
   */
  public void build(StreamExecutionEnvironment env) {
    // The ledger's own rule (sealed past a window's end, every fee attributed) decides when a
    // window closes, so the two inputs need no Flink watermarks to line up. One reader per input:
    // each topic has one partition, read in log order.
    DataStream<PaymentInput> chain =
        env.fromSource(
                chainEvents,
                WatermarkStrategy.noWatermarks(),
                "chain.events (payments)",
                LedgerSerializer.inputs())
            .uid("payment-chain-events")
            .setParallelism(1);
    DataStream<PaymentInput> results =
        env.fromSource(
                attributions,
                WatermarkStrategy.noWatermarks(),
                "attribution.results",
                LedgerSerializer.inputs())
            .uid("payment-attribution-results")
            .setParallelism(1);
    // The job's parallelism: one chain is one key, so each chain's ledger runs on one subtask and
    // sees its records in the order the readers sent them; more subtasks spread more chains, and a
    // restore at another parallelism moves whole key groups (max parallelism: PipelineApp). No
    // timers and no watermarks: nothing here depends on which subtask, or how many, there are.
    SingleOutputStreamOperator<Accrual> ledger =
        chain
            .union(results)
            .keyBy(PaymentInput::chainId)
            .process(
                new PaymentOperator(protocolAddress, finalityBlocks), LedgerSerializer.accruals())
            .name("split fees + close settlement windows")
            .uid("payment-ledger");
    // One writer per output topic, at 1 whatever the ledger's parallelism: a chain's records all
    // come from its one ledger subtask over one channel, so each topic keeps the ledger's order per
    // chain (payout.batches: a chain's batches in window order, the order the settlement writer
    // proposes them in and commits their offsets in), and one transactional producer per topic
    // commits with each checkpoint.
    ledger.sinkTo(accruals).name("payout.accruals").uid("payment-accruals-sink").setParallelism(1);
    DataStream<PayoutBatcher.Batch> closed = ledger.getSideOutput(PaymentOperator.BATCHES);
    closed.sinkTo(batches).name("payout.batches").uid("payment-batches-sink").setParallelism(1);
    // At 1, chained to its sink: a batch's leaves leave in leaf order, batch after batch.
    closed
        .flatMap(
            (PayoutBatcher.Batch b, org.apache.flink.util.Collector<BatchLeaf> out) -> {
              for (int i = 0; i < b.leaves().size(); i++) {
                out.collect(new BatchLeaf(b.batchId(), b.leaves().get(i), b.leafHashes().get(i)));
              }
            })
        .returns(LedgerSerializer.batchLeaves())
        .name("batch leaves")
        .uid("payment-batch-leaves")
        .setParallelism(1)
        .sinkTo(leaves)
        .name("payout.batch-leaves")
        .uid("payment-batch-leaves-sink")
        .setParallelism(1);
    ledger
        .getSideOutput(PaymentOperator.REJECTED)
        .sinkTo(deadLetters)
        .name("pipeline.dead-letters (payments)")
        .uid("payment-dead-letters-sink")
        .setParallelism(1);
  }
}
