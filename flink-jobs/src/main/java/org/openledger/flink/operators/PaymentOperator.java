package org.openledger.flink.operators;

import static org.openledger.flink.operators.FlinkKeyedState.bag;
import static org.openledger.flink.operators.FlinkKeyedState.cell;
import static org.openledger.flink.operators.FlinkKeyedState.table;

import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.openledger.flink.attribution.Rejection;
import org.openledger.flink.domain.PaymentParams;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.flink.payment.Accrual;
import org.openledger.flink.payment.LedgerSerializer;
import org.openledger.flink.payment.PaymentInput;

/**
 * The payment job's ledger (one key: the chain): a thin Flink shell around {@link PaymentLedger},
 * whose state it keeps in Flink keyed state. It emits the accruals, and per closed settlement
 * window the {@code PayoutBatch}es on a side output. A window closes only when the log is sealed
 * {@code finalityBlocks} past its end and every fee in it has its result, so its batches depend on
 * the log alone: a replay (Flink's or {@code bin/openledger replay}'s) rebuilds the same batches,
 * ids and roots.
 */
public final class PaymentOperator extends KeyedProcessFunction<Long, PaymentInput, Accrual> {

  public static final OutputTag<PayoutBatcher.Batch> BATCHES =
      new OutputTag<>("batches", LedgerSerializer.batches());
  public static final OutputTag<Rejection> REJECTED = new OutputTag<>("payment-rejected") {};

  private final String protocolAddress;
  private final long finalityBlocks;
  private transient PaymentLedger ledger;
  private transient ValueState<Long> closedThrough;
  private transient Counter accruals;
  private transient Counter batches;
  private transient Counter deadLetters;
  private transient Outputs output;
  private transient Context context; // the record being processed
  private transient Collector<Accrual> collector;

  /**
   * @param protocolAddress the protocol's payee (the treasury)
   * @param finalityBlocks how far past a window's end the log must be sealed before it closes: at
   *     least the deepest reorg the follower may still report (0 with immediate finality)
   */
  public PaymentOperator(String protocolAddress, long finalityBlocks) {
    this.protocolAddress = protocolAddress;
    this.finalityBlocks = finalityBlocks;
  }

  @Override
  public void open(OpenContext context) {
    var rc = getRuntimeContext();
    ListState<PaymentParams> params =
        rc.getListState(new ListStateDescriptor<>("params", PaymentParams.class));
    MapState<Long, List<PaymentInput>> owners =
        rc.getMapState(
            new MapStateDescriptor<>(
                "owners",
                TypeInformation.of(Long.class),
                TypeInformation.of(new TypeHint<List<PaymentInput>>() {})));
    // "-by-event": these were keyed by inference id before; new names keep old state out.
    // Compact, immutable-record serializers (LedgerSerializer): checkpoints write hashes as bytes,
    // and the heap backend's copy-on-write after a checkpoint copies no record.
    var fees = rc.getMapState(stateByEvent("fees-by-event", LedgerSerializer.inputs()));
    var results = rc.getMapState(stateByEvent("results-by-event", LedgerSerializer.inputs()));
    var accrued = rc.getMapState(stateByEvent("accrued-by-event", LedgerSerializer.accrued()));
    ListState<PayoutLeaf> carried =
        rc.getListState(new ListStateDescriptor<>("carried", PayoutLeaf.class));
    ValueState<BlockIndex> pendingBlocks =
        rc.getState(
            new ValueStateDescriptor<>("pending-events-by-block", BlockIndexSerializer.INSTANCE));
    ValueState<BlockIndex> openBlocks =
        rc.getState(
            new ValueStateDescriptor<>("open-events-by-block", BlockIndexSerializer.INSTANCE));
    ValueState<Long> sealed = rc.getState(new ValueStateDescriptor<>("sealed", Long.class));
    closedThrough = rc.getState(new ValueStateDescriptor<>("closed-through", Long.class));
    ledger =
        new PaymentLedger(
            protocolAddress,
            finalityBlocks,
            new PaymentLedger.State(
                bag(params),
                table(owners),
                table(fees),
                table(results),
                table(accrued),
                bag(carried),
                cell(pendingBlocks),
                cell(openBlocks),
                cell(sealed),
                cell(closedThrough)));
    var group = rc.getMetricGroup();
    accruals = group.counter("accrualsEmitted");
    batches = group.counter("batchesClosed");
    deadLetters = group.counter("deadLetters");
    group.gauge("closedThroughBlock", () -> closedThroughOrNull());
    output = new Outputs();
  }

  private static <V> MapStateDescriptor<String, V> stateByEvent(
      String name, TypeInformation<V> type) {
    return new MapStateDescriptor<>(name, Types.STRING, type);
  }

  private Long closedThroughOrNull() {
    try {
      return closedThrough.value();
    } catch (Exception e) {
      return null;
    }
  }

  @Override
  public void processElement(PaymentInput in, Context ctx, Collector<Accrual> out)
      throws Exception {
    context = ctx;
    collector = out;
    ledger.process(ctx.getCurrentKey(), in, output);
  }

  /** The ledger's outputs onto this record's collector and side outputs (one instance, reused). */
  private final class Outputs implements PaymentLedger.Output {
    @Override
    public void accrual(Accrual accrual) {
      collector.collect(accrual);
      accruals.inc();
    }

    @Override
    public void batch(PayoutBatcher.Batch batch) {
      context.output(BATCHES, batch);
      batches.inc();
    }

    @Override
    public void rejected(Rejection rejection) {
      deadLetters.inc();
      context.output(REJECTED, rejection);
    }
  }
}
