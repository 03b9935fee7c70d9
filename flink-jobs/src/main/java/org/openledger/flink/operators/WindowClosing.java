package org.openledger.flink.operators;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.openledger.flink.domain.ParamsHistory;
import org.openledger.flink.domain.PaymentParams;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.flink.domain.SettlementWindows;
import org.openledger.flink.operators.KeyedState.Cell;
import org.openledger.flink.payment.Accrual;

/**
 * The ledger's window closing ({@link PaymentLedger}'s, apart to keep each class readable): closes
 * settlement windows in block order once the log is sealed {@code finalityBlocks} past a window's
 * end and no fee in it waits for its result, adding what earlier windows carried and handing each
 * closed window's batches on. Empty windows with nothing carried are skipped, as they pay nobody.
 */
final class WindowClosing {

  private WindowClosing() {}

  /** The index in {@code cell}, or a new empty one. */
  static BlockIndex index(Cell<BlockIndex> cell) throws Exception {
    BlockIndex index = cell.value();
    return index == null ? new BlockIndex() : index;
  }

  static void close(
      long key,
      PaymentLedger.State state,
      ParamsHistory<PaymentParams> history,
      long finalityBlocks,
      Consumer<PayoutBatcher.Batch> out)
      throws Exception {
    Long seal = state.sealed().value();
    if (seal == null) {
      return;
    }
    BlockIndex pending = index(state.pendingBlocks());
    BlockIndex open = index(state.openBlocks());
    Map<String, List<PayoutLeaf>> carry = null; // read only when a window closes
    Long closed = state.closedThrough().value();
    long from = closed == null ? 0 : closed + 1;
    while (true) {
      if (carry == null ? !state.carried().get().iterator().hasNext() : carry.isEmpty()) {
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
        carry = carriedByPayee(state);
      }
      List<PayoutLeaf> leaves = new ArrayList<>();
      for (String id : open.takeUpTo(w.end())) {
        leaves.addAll(state.accrued().get(id).accruals().stream().map(Accrual::leaf).toList());
        state.accrued().remove(id);
      }
      Optional<PaymentParams> rules = history.at(w.end());
      PayoutBatcher.Closing closing =
          PayoutBatcher.close(
              key,
              w,
              leaves,
              carry,
              rules.map(PaymentParams::minPayout).orElse(BigInteger.ZERO),
              rules.map(PaymentParams::maxPayeesPerBatch).orElse(200));
      for (PayoutBatcher.Batch b : closing.batches()) {
        out.accept(b);
      }
      carry = closing.carried();
      state.closedThrough().update(w.end());
      from = w.end() + 1;
    }
    if (carry != null) {
      state.openBlocks().update(open);
      List<PayoutLeaf> keep = new ArrayList<>();
      carry.values().forEach(keep::addAll);
      state.carried().update(keep);
    }
  }

  private static Optional<Long> min(Optional<Long> a, Optional<Long> b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.isEmpty() ? a : Optional.of(Math.min(a.get(), b.get()));
  }

  private static Map<String, List<PayoutLeaf>> carriedByPayee(PaymentLedger.State state)
      throws Exception {
    Map<String, List<PayoutLeaf>> byPayee = new HashMap<>();
    for (PayoutLeaf l : state.carried().get()) {
      byPayee.computeIfAbsent(l.payee(), p -> new ArrayList<>()).add(l);
    }
    return byPayee;
  }
}
