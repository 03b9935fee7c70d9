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

  /** Wires the job into {@code env}; every operator has a readable name and a stable uid. */
  public void build(StreamExecutionEnvironment env) {
    // The ledger's own rule (sealed past a window's end, every fee attributed) decides when a
    // window closes, so the two inputs need no Flink watermarks to line up.
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
    SingleOutputStreamOperator<Accrual> ledger =
        chain
            .union(results)
            .keyBy(PaymentInput::chainId)
            .process(
                new PaymentOperator(protocolAddress, finalityBlocks), LedgerSerializer.accruals())
            .name("split fees + close settlement windows")
            .uid("payment-ledger")
            .setParallelism(1);
    ledger.sinkTo(accruals).name("payout.accruals").uid("payment-accruals-sink").setParallelism(1);
    DataStream<PayoutBatcher.Batch> closed = ledger.getSideOutput(PaymentOperator.BATCHES);
    closed.sinkTo(batches).name("payout.batches").uid("payment-batches-sink").setParallelism(1);
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
