package org.openledger.flink.operators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.openledger.flink.domain.ParamsHistory;
import org.openledger.flink.domain.PaymentParams;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.flink.domain.SettlementWindows;
import org.openledger.flink.payment.Accrual;
import org.openledger.flink.payment.Accrued;
import org.openledger.flink.payment.LedgerSerializer;
import org.openledger.flink.payment.PaymentInput;

/**
 * The payment job's ledger (one key: the chain). It joins each inference's fee with its attribution
 * result, splits the fee to the wei ({@link Splitter}) and emits the accruals; then it closes
 * settlement windows in block order into {@code PayoutBatch}es. A window closes only when the log
 * is sealed {@code finalityBlocks} past its end and every fee in it has its result, so its batches
 * depend on the log alone: a replay rebuilds the same batches, ids and roots.
 *
 * <p>Fees, results and accruals are keyed by the InferencePaid event's id (block hash + log index),
 * not by inference id: a reorg's two branches reuse inference ids, and both incarnations may be in
 * flight at once (the fee and result streams retract at their own pace).
 */
public final class PaymentOperator extends KeyedProcessFunction<Long, PaymentInput, Accrual> {

  public static final OutputTag<PayoutBatcher.Batch> BATCHES =
      new OutputTag<>("batches", LedgerSerializer.batches());
  public static final OutputTag<Rejection> REJECTED = new OutputTag<>("payment-rejected") {};

  private final String protocolAddress;
  private final long finalityBlocks;
  private transient ListState<PaymentParams> params;
  private transient MapState<Long, List<PaymentInput>> owners;
  private transient MapState<String, PaymentInput> fees;
  private transient MapState<String, PaymentInput> results;
  private transient MapState<String, Accrued> accrued;
  private transient ListState<PayoutLeaf> carried;
  private transient ValueState<BlockIndex> pendingBlocks;
  private transient ValueState<BlockIndex> openBlocks;
  private transient ParamsHistory<PaymentParams> cachedHistory;
  private transient Long cachedHistoryKey;
  private transient ValueState<Long> sealed;
  private transient ValueState<Long> closedThrough;
  private transient Counter accruals;
  private transient Counter batches;
  private transient Counter deadLetters;

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
    params = rc.getListState(new ListStateDescriptor<>("params", PaymentParams.class));
    owners =
        rc.getMapState(
            new MapStateDescriptor<>(
                "owners",
                TypeInformation.of(Long.class),
                TypeInformation.of(new TypeHint<List<PaymentInput>>() {})));
    // "-by-event": these were keyed by inference id before; new names keep old state out.
    // Compact, immutable-record serializers (LedgerSerializer): checkpoints write hashes as bytes,
    // and the heap backend's copy-on-write after a checkpoint copies no record.
    fees = rc.getMapState(stateByEvent("fees-by-event", LedgerSerializer.inputs()));
    results = rc.getMapState(stateByEvent("results-by-event", LedgerSerializer.inputs()));
    accrued = rc.getMapState(stateByEvent("accrued-by-event", LedgerSerializer.accrued()));
    carried = rc.getListState(new ListStateDescriptor<>("carried", PayoutLeaf.class));
    pendingBlocks =
        rc.getState(
            new ValueStateDescriptor<>("pending-events-by-block", BlockIndexSerializer.INSTANCE));
    openBlocks =
        rc.getState(
            new ValueStateDescriptor<>("open-events-by-block", BlockIndexSerializer.INSTANCE));
    sealed = rc.getState(new ValueStateDescriptor<>("sealed", Long.class));
    closedThrough = rc.getState(new ValueStateDescriptor<>("closed-through", Long.class));
    var group = rc.getMetricGroup();
    accruals = group.counter("accrualsEmitted");
    batches = group.counter("batchesClosed");
    deadLetters = group.counter("deadLetters");
    group.gauge("closedThroughBlock", () -> closedThroughOrNull());
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
    switch (in.kind()) {
      case PARAMS -> applyParams(in);
      case OWNER -> applyOwner(in);
      case FEE -> applyFee(in, ctx, out);
      case RESULT -> applyResult(in, ctx, out);
      case SEAL -> {
        Long last = sealed.value();
        if (last == null || in.block() > last) {
          sealed.update(in.block());
        }
      }
      case OTHER -> {}
    }
    // Only a seal or the last missing result can let a window close.
    if (in.kind() == PaymentInput.Kind.SEAL || in.kind() == PaymentInput.Kind.RESULT) {
      closeWindows(ctx);
    }
  }

  private BlockIndex index(ValueState<BlockIndex> state) throws Exception {
    BlockIndex index = state.value();
    return index == null ? new BlockIndex() : index;
  }

  private void pending(long block, String id, boolean add) throws Exception {
    BlockIndex index = index(pendingBlocks);
    if (add) {
      index.add(block, id);
    } else {
      index.remove(block, id);
    }
    pendingBlocks.update(index);
  }

  private void applyParams(PaymentInput in) throws Exception {
    cachedHistory = null;
    List<PaymentParams> next = new ArrayList<>();
    for (PaymentParams p : params.get()) {
      if (!p.eventId().equals(in.params().eventId())) {
        next.add(p);
      }
    }
    if (!in.removed()) {
      next.add(in.params());
    }
    params.update(next);
  }

  private void applyOwner(PaymentInput in) throws Exception {
    long model = in.owner().modelId();
    List<PaymentInput> history = new ArrayList<>();
    List<PaymentInput> known = owners.get(model);
    if (known != null) {
      known.stream().filter(o -> !o.eventId().equals(in.eventId())).forEach(history::add);
    }
    if (!in.removed()) {
      history.add(in);
    }
    owners.put(model, history);
  }

  private void applyFee(PaymentInput in, Context ctx, Collector<Accrual> out) throws Exception {
    String id = in.eventId();
    if (in.removed()) {
      if (fees.contains(id)) {
        fees.remove(id);
        pending(in.block(), id, false);
      }
      unaccrue(id, in, ctx, out);
      return;
    }
    if (accrued.contains(id)) {
      return; // redelivered: this very event is already split
    }
    if (isClosed(in.block())) {
      reject(
          ctx,
          in,
          "fee of inference "
              + in.fee().inferenceId()
              + " arrived after its settlement window closed");
      return;
    }
    fees.put(id, in);
    pending(in.block(), id, true);
    accrue(id, ctx, out);
  }

  private void applyResult(PaymentInput in, Context ctx, Collector<Accrual> out) throws Exception {
    String id = in.eventId();
    if (in.removed()) {
      results.remove(id);
      unaccrue(id, in, ctx, out);
      return;
    }
    if (accrued.contains(id) || isClosed(in.block())) {
      return; // redelivered (the result of an accrued inference is already in its accruals)
    }
    results.put(id, in);
    accrue(id, ctx, out);
  }

  /**
   * Splits an inference's fee once both its fee and its attribution are here. Both carry the
   * InferencePaid event's id, so a fee pairs only with the result of its own branch.
   */
  private void accrue(String id, Context ctx, Collector<Accrual> out) throws Exception {
    PaymentInput fee = fees.get(id);
    PaymentInput result = results.get(id);
    if (fee == null || result == null) {
      return;
    }
    Splitter.Outcome split =
        Splitter.split(protocolAddress, fee, result, history(ctx.getCurrentKey()), ownerAt(fee));
    for (String problem : split.problems()) {
      reject(ctx, fee, problem);
    }
    for (Accrual a : split.accruals()) {
      out.collect(a);
      accruals.inc();
    }
    accrued.put(id, new Accrued(fee, split.accruals()));
    BlockIndex open = index(openBlocks);
    open.add(fee.block(), id);
    openBlocks.update(open);
    fees.remove(id);
    pending(fee.block(), id, false);
    results.remove(id);
  }

  /**
   * A reorg took an accrued inference's fee or result away: retract its accruals. The fee stays
   * pending if only the result went (a new result will follow). Fee and result retractions come on
   * separate streams, so the second of the two finds nothing left to retract, possibly after the
   * window closed. Only a fee retraction below the closed windows is a real loss: a reorg deeper
   * than the finality.
   */
  private void unaccrue(String id, PaymentInput in, Context ctx, Collector<Accrual> out)
      throws Exception {
    Accrued done = accrued.get(id);
    if (done == null) {
      if (in.kind() == PaymentInput.Kind.FEE && isClosed(in.block())) {
        reject(
            ctx,
            in,
            "reorg retracted inference "
                + in.fee().inferenceId()
                + " after its settlement window closed (deeper than payment.finality.blocks)");
      }
      return;
    }
    accrued.remove(id);
    BlockIndex open = index(openBlocks);
    open.remove(done.block(), id);
    openBlocks.update(open);
    for (Accrual a : done.accruals()) {
      out.collect(a.retracted());
      accruals.inc();
    }
    if (in.kind() == PaymentInput.Kind.RESULT) {
      fees.put(id, done.fee()); // the fee survives: it waits for the new result
      pending(done.block(), id, true);
    }
  }

  private void closeWindows(Context ctx) throws Exception {
    Long seal = sealed.value();
    if (seal == null) {
      return;
    }
    ParamsHistory<PaymentParams> history = history(ctx.getCurrentKey());
    BlockIndex pending = index(pendingBlocks);
    BlockIndex open = index(openBlocks);
    Map<String, List<PayoutLeaf>> carry = null; // read only when a window closes
    long from = closedThrough.value() == null ? 0 : closedThrough.value() + 1;
    while (true) {
      if (carry == null ? !carried.get().iterator().hasNext() : carry.isEmpty()) {
        // nothing carried: skip straight to the window of the next fee (empty windows pay nobody)
        Optional<Long> next = min(pending.first(), open.first()).map(b -> Math.max(b, 0L));
        from = Math.max(from, next.orElse(Math.max(from, seal - finalityBlocks)));
      }
      SettlementWindows.Window w = SettlementWindows.of(from, history);
      boolean waiting = pending.first().map(b -> b <= w.end()).orElse(false);
      if (w.end() > seal - finalityBlocks || waiting) {
        break;
      }
      if (carry == null) {
        carry = carriedByPayee();
      }
      List<PayoutLeaf> leaves = new ArrayList<>();
      for (String id : open.takeUpTo(w.end())) {
        leaves.addAll(accrued.get(id).accruals().stream().map(Accrual::leaf).toList());
        accrued.remove(id);
      }
      Optional<PaymentParams> rules = history.at(w.end());
      PayoutBatcher.Closing closing =
          PayoutBatcher.close(
              ctx.getCurrentKey(),
              w,
              leaves,
              carry,
              rules.map(PaymentParams::minPayout).orElse(java.math.BigInteger.ZERO),
              rules.map(PaymentParams::maxPayeesPerBatch).orElse(200));
      for (PayoutBatcher.Batch b : closing.batches()) {
        ctx.output(BATCHES, b);
        batches.inc();
      }
      carry = closing.carried();
      closedThrough.update(w.end());
      from = w.end() + 1;
    }
    if (carry != null) {
      openBlocks.update(open);
      List<PayoutLeaf> keep = new ArrayList<>();
      carry.values().forEach(keep::addAll);
      carried.update(keep);
    }
  }

  private static Optional<Long> min(Optional<Long> a, Optional<Long> b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.isEmpty() ? a : Optional.of(Math.min(a.get(), b.get()));
  }

  private boolean isClosed(long block) throws Exception {
    Long closed = closedThrough.value();
    return closed != null && block <= closed;
  }

  private Map<String, List<PayoutLeaf>> carriedByPayee() throws Exception {
    Map<String, List<PayoutLeaf>> byPayee = new HashMap<>();
    for (PayoutLeaf l : carried.get()) {
      byPayee.computeIfAbsent(l.payee(), p -> new ArrayList<>()).add(l);
    }
    return byPayee;
  }

  /** The key's params history; cached between params changes (one key per chain). */
  private ParamsHistory<PaymentParams> history(Long key) throws Exception {
    if (cachedHistory == null || !key.equals(cachedHistoryKey)) {
      List<PaymentParams> all = new ArrayList<>();
      params.get().forEach(all::add);
      cachedHistory = new ParamsHistory<>(all);
      cachedHistoryKey = key;
    }
    return cachedHistory;
  }

  /** The owner in force at the fee's block: the last registration or transfer up to it. */
  private String ownerAt(PaymentInput fee) throws Exception {
    List<PaymentInput> history = owners.get(fee.fee().modelId());
    PaymentInput best = null;
    if (history != null) {
      for (PaymentInput o : history) {
        boolean before =
            o.block() < fee.block()
                || (o.block() == fee.block()
                    && o.position().logIndex() < fee.position().logIndex());
        if (before
            && (best == null
                || o.block() > best.block()
                || (o.block() == best.block()
                    && o.position().logIndex() > best.position().logIndex()))) {
          best = o;
        }
      }
    }
    return best == null ? null : best.owner().address();
  }

  private void reject(Context ctx, PaymentInput in, String reason) {
    deadLetters.inc();
    var p = in.position();
    ctx.output(
        REJECTED,
        new Rejection(
            "payment",
            reason,
            p.chainId(),
            p.block(),
            p.blockHash(),
            p.blockTimestamp(),
            p.txHash(),
            p.logIndex(),
            in.eventId()));
  }
}
