package org.openledger.flink.operators;

import java.util.ArrayList;
import java.util.List;
import org.openledger.flink.attribution.Rejection;
import org.openledger.flink.domain.ParamsHistory;
import org.openledger.flink.domain.PaymentParams;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.flink.operators.KeyedState.Bag;
import org.openledger.flink.operators.KeyedState.Cell;
import org.openledger.flink.operators.KeyedState.Table;
import org.openledger.flink.payment.Accrual;
import org.openledger.flink.payment.Accrued;
import org.openledger.flink.payment.PaymentInput;

/**
 * The payment ledger's rules without Flink: pairs each fee with its attribution, splits it to the
 * wei ({@link Splitter}) and closes settlement windows in block order into batches. The payment
 * job's {@link PaymentOperator} runs it over Flink keyed state; {@code bin/openledger replay} runs
 * the very same code over plain maps ({@link #inMemory()}), so both give the same batches and
 * roots.
 *
 * <p>Fees, results and accruals are keyed by the InferencePaid event's id (block hash + log index),
 * not by inference id: a reorg's two branches reuse inference ids, and both incarnations may be in
 * flight at once (the fee and result streams retract at their own pace).
 */
public final class PaymentLedger {

  /** Everything the ledger keeps for one chain (the operator's key). */
  public record State(
      Bag<PaymentParams> params,
      Table<Long, List<PaymentInput>> owners,
      Table<String, PaymentInput> fees,
      Table<String, PaymentInput> results,
      Table<String, Accrued> accrued,
      Bag<PayoutLeaf> carried,
      Cell<BlockIndex> pendingBlocks,
      Cell<BlockIndex> openBlocks,
      Cell<Long> sealed,
      Cell<Long> closedThrough) {}

  /** Where the ledger's outputs go, in the order it makes them. */
  public interface Output {
    void accrual(Accrual accrual);

    void batch(PayoutBatcher.Batch batch);

    void rejected(Rejection rejection);
  }

  private final String protocolAddress;
  private final long finalityBlocks;
  private final State state;
  private ParamsHistory<PaymentParams> cachedHistory;
  private Long cachedHistoryKey;

  /**
   * @param protocolAddress the protocol's payee (the treasury)
   * @param finalityBlocks how far past a window's end the log must be sealed before it closes
   * @param state the ledger's state (scoped to the current key by the caller)
   */
  public PaymentLedger(String protocolAddress, long finalityBlocks, State state) {
    this.protocolAddress = protocolAddress;
    this.finalityBlocks = finalityBlocks;
    this.state = state;
  }

  /** State in plain maps, for one chain: what replay runs the ledger over. */
  public static State inMemory() {
    return new State(
        KeyedState.heapBag(),
        KeyedState.heapTable(),
        KeyedState.heapTable(),
        KeyedState.heapTable(),
        KeyedState.heapTable(),
        KeyedState.heapBag(),
        KeyedState.heapCell(),
        KeyedState.heapCell(),
        KeyedState.heapCell(),
        KeyedState.heapCell());
  }

  /** The last block whose window has closed, or null. */
  public Long closedThrough() throws Exception {
    return state.closedThrough().value();
  }

  /** Applies one record of chain {@code key}. */
  public void process(long key, PaymentInput in, Output out) throws Exception {
    switch (in.kind()) {
      case PARAMS -> applyParams(in);
      case OWNER -> applyOwner(in);
      case FEE -> applyFee(key, in, out);
      case RESULT -> applyResult(key, in, out);
      case SEAL -> {
        Long last = state.sealed().value();
        if (last == null || in.block() > last) {
          state.sealed().update(in.block());
        }
      }
      case OTHER -> {}
    }
    // Only a seal or the last missing result can let a window close.
    if (in.kind() == PaymentInput.Kind.SEAL || in.kind() == PaymentInput.Kind.RESULT) {
      closeWindows(key, out);
    }
  }

  private void pending(long block, String id, boolean add) throws Exception {
    BlockIndex index = WindowClosing.index(state.pendingBlocks());
    if (add) {
      index.add(block, id);
    } else {
      index.remove(block, id);
    }
    state.pendingBlocks().update(index);
  }

  private void applyParams(PaymentInput in) throws Exception {
    cachedHistory = null;
    List<PaymentParams> next = new ArrayList<>();
    for (PaymentParams p : state.params().get()) {
      if (!p.eventId().equals(in.params().eventId())) {
        next.add(p);
      }
    }
    if (!in.removed()) {
      next.add(in.params());
    }
    state.params().update(next);
  }

  private void applyOwner(PaymentInput in) throws Exception {
    long model = in.owner().modelId();
    List<PaymentInput> history = new ArrayList<>();
    List<PaymentInput> known = state.owners().get(model);
    if (known != null) {
      known.stream().filter(o -> !o.eventId().equals(in.eventId())).forEach(history::add);
    }
    if (!in.removed()) {
      history.add(in);
    }
    state.owners().put(model, history);
  }

  private void applyFee(long key, PaymentInput in, Output out) throws Exception {
    String id = in.eventId();
    if (in.removed()) {
      if (state.fees().contains(id)) {
        state.fees().remove(id);
        pending(in.block(), id, false);
      }
      unaccrue(id, in, out);
      return;
    }
    if (state.accrued().contains(id)) {
      return; // redelivered: this very event is already split
    }
    if (isClosed(in.block())) {
      reject(
          out,
          in,
          "fee of inference "
              + in.fee().inferenceId()
              + " arrived after its settlement window closed");
      return;
    }
    state.fees().put(id, in);
    pending(in.block(), id, true);
    accrue(key, id, out);
  }

  private void applyResult(long key, PaymentInput in, Output out) throws Exception {
    String id = in.eventId();
    if (in.removed()) {
      state.results().remove(id);
      unaccrue(id, in, out);
      return;
    }
    if (state.accrued().contains(id) || isClosed(in.block())) {
      return; // redelivered (the result of an accrued inference is already in its accruals)
    }
    state.results().put(id, in);
    accrue(key, id, out);
  }

  /**
   * Splits an inference's fee once both its fee and its attribution are here. Both carry the
   * InferencePaid event's id, so a fee pairs only with the result of its own branch.
   */
  private void accrue(long key, String id, Output out) throws Exception {
    PaymentInput fee = state.fees().get(id);
    PaymentInput result = state.results().get(id);
    if (fee == null || result == null) {
      return;
    }
    Splitter.Outcome split =
        Splitter.split(protocolAddress, fee, result, history(key), ownerAt(fee));
    for (String problem : split.problems()) {
      reject(out, fee, problem);
    }
    for (Accrual a : split.accruals()) {
      out.accrual(a);
    }
    state.accrued().put(id, new Accrued(fee, split.accruals()));
    BlockIndex open = WindowClosing.index(state.openBlocks());
    open.add(fee.block(), id);
    state.openBlocks().update(open);
    state.fees().remove(id);
    pending(fee.block(), id, false);
    state.results().remove(id);
  }

  /**
   * A reorg took an accrued inference's fee or result away: retract its accruals. The fee stays
   * pending if only the result went (a new result will follow). Fee and result retractions come on
   * separate streams, so the second of the two finds nothing left to retract, possibly after the
   * window closed. Only a fee retraction below the closed windows is a real loss: a reorg deeper
   * than the finality.
   */
  private void unaccrue(String id, PaymentInput in, Output out) throws Exception {
    Accrued done = state.accrued().get(id);
    if (done == null) {
      if (in.kind() == PaymentInput.Kind.FEE && isClosed(in.block())) {
        reject(
            out,
            in,
            "reorg retracted inference "
                + in.fee().inferenceId()
                + " after its settlement window closed (deeper than payment.finality.blocks)");
      }
      return;
    }
    state.accrued().remove(id);
    BlockIndex open = WindowClosing.index(state.openBlocks());
    open.remove(done.block(), id);
    state.openBlocks().update(open);
    for (Accrual a : done.accruals()) {
      out.accrual(a.retracted());
    }
    if (in.kind() == PaymentInput.Kind.RESULT) {
      state.fees().put(id, done.fee()); // the fee survives: it waits for the new result
      pending(done.block(), id, true);
    }
  }

  private void closeWindows(long key, Output out) throws Exception {
    WindowClosing.close(key, state, history(key), finalityBlocks, out::batch);
  }

  private boolean isClosed(long block) throws Exception {
    Long closed = state.closedThrough().value();
    return closed != null && block <= closed;
  }

  /** The key's params history; cached between params changes (one key per chain). */
  private ParamsHistory<PaymentParams> history(long key) throws Exception {
    if (cachedHistory == null || cachedHistoryKey != key) {
      List<PaymentParams> all = new ArrayList<>();
      state.params().get().forEach(all::add);
      cachedHistory = new ParamsHistory<>(all);
      cachedHistoryKey = key;
    }
    return cachedHistory;
  }

  /** The owner in force at the fee's block: the last registration or transfer up to it. */
  private String ownerAt(PaymentInput fee) throws Exception {
    List<PaymentInput> history = state.owners().get(fee.fee().modelId());
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

  private static void reject(Output out, PaymentInput in, String reason) {
    var p = in.position();
    out.rejected(
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
