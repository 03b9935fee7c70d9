package org.openledger.replay;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.openledger.events.BatchSettled;
import org.openledger.events.BlockSealed;
import org.openledger.events.ChainEvent;
import org.openledger.events.ChainPosition;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.Rejection;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.kafka.AvroRecords;
import org.openledger.flink.operators.PaymentLedger;
import org.openledger.flink.payment.Accrual;
import org.openledger.flink.payment.PaymentInputs;

/**
 * The replay's pipeline in one thread: decoded chain events, block by block in chain order, go to
 * the attribution sequencer's core ({@link Attributor}) and to the payment job's {@link
 * PaymentLedger}; each block's seal scores its inferences, whose results go to the ledger through
 * the same Avro mapping the jobs use between them ({@link AvroRecords#result}, {@link
 * PaymentInputs}). Every batch the ledger closes waits until the chain's {@code BatchSettled} for
 * its id arrives, then one {@link Verdict} says {@code match} or names the first difference. It
 * keeps the ledger's state and the closed-but-unsettled batches, never the history.
 */
public final class Replayer {

  /** The attribution job's rules, applied to the same events in the same order. */
  public interface Attributor extends AutoCloseable {
    /** Applies one decoded event (contributions, reviews, models, params; inferences wait). */
    void apply(ChainEvent event) throws Exception;

    /** Every event up to {@code block} is applied: the sealed inferences' results, in order. */
    List<Attribution> seal(long block) throws Exception;

    @Override
    default void close() {}
  }

  /** The outcome for one {@code BatchSettled}: {@code difference} empty when it matches. */
  public record Verdict(
      String batchId,
      long settledAt,
      PayoutBatcher.Batch expected,
      BatchSettled onChain,
      Optional<String> difference) {

    public boolean matches() {
      return difference.isEmpty();
    }

    /** One line, the same on every machine: no time, no host, nothing but the chain's data. */
    public String line() {
      String where =
          expected == null
              ? ""
              : " window "
                  + expected.window().start()
                  + "-"
                  + expected.window().end()
                  + " sub "
                  + expected.subBatch()
                  + "/"
                  + expected.subBatchCount();
      if (expected == null && matches()) {
        return "batch "
            + batchId
            + " settled at block "
            + settledAt
            + ": zero-wei batch, nothing paid (no window of the replay pays under its id)";
      }
      String what =
          matches()
              ? "match ("
                  + expected.payees().size()
                  + " payees, total "
                  + expected.total()
                  + " wei, root "
                  + expected.merkleRoot()
                  + ")"
              : "DIFFERENCE " + difference.get();
      return "batch " + batchId + where + " settled at block " + settledAt + ": " + what;
    }
  }

  private final Attributor attributor;
  private final PaymentLedger ledger;
  private final Consumer<Verdict> verdicts;
  private final Map<String, PayoutBatcher.Batch> closed = new LinkedHashMap<>();
  private final Map<String, BatchSettled> settledEarly = new LinkedHashMap<>();
  private final MessageDigest roots;
  private long chainId = -1;
  private long lastBlock = -1;
  private long batchesClosed;
  private long matched;
  private long differing;
  private long rejections;
  private long zeroWei;

  /**
   * @param treasury the protocol's payee (the payment job's {@code payment.protocol.address})
   * @param verdicts where each settled batch's verdict goes, in the chain's order of settlement
   */
  public Replayer(String treasury, Attributor attributor, Consumer<Verdict> verdicts) {
    this.attributor = attributor;
    // Replay reads blocks that are already on the chain, so their windows close at once.
    this.ledger = new PaymentLedger(treasury, 0, PaymentLedger.inMemory());
    this.verdicts = verdicts;
    try {
      this.roots = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One block: its decoded events in log order, then its seal (at {@code position}, the block's
   * number, hash and timestamp). Blocks come in ascending order.
   */
  public void block(ChainPosition position, List<ChainEvent> events) throws Exception {
    chainId = position.getChainId();
    lastBlock = position.getBlockNumber();
    PaymentLedger.Output out = new LedgerOutput();
    for (ChainEvent e : events) {
      attributor.apply(e);
      ledger.process(chainId, PaymentInputs.of(e), out);
      if (e.getEvent() instanceof BatchSettled s && !s.getRemoved()) {
        settled(s);
      }
    }
    for (Attribution a : attributor.seal(position.getBlockNumber())) {
      ledger.process(chainId, PaymentInputs.of(AvroRecords.result(a)), out);
    }
    ChainEvent seal =
        ChainEvent.newBuilder()
            .setEvent(BlockSealed.newBuilder().setPosition(position).build())
            .build();
    ledger.process(chainId, PaymentInputs.of(seal), out);
    // A batch the chain paid before replay could close it (never, for an honest writer).
    for (var it = settledEarly.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      PayoutBatcher.Batch b = closed.remove(e.getKey());
      if (b != null) {
        it.remove();
        judge(b, e.getValue());
      }
    }
  }

  /**
   * The batches replay closed that the chain has not paid (yet), in closing order: what an honest
   * settler would settle next under each id.
   */
  public List<PayoutBatcher.Batch> unsettled() {
    return List.copyOf(closed.values());
  }

  /**
   * The batch replay closed under {@code batchId} and the chain has not paid yet, if any: what an
   * honest proposal of that id must carry ({@code watch} judges proposals with it).
   */
  public Optional<PayoutBatcher.Batch> closed(String batchId) {
    return Optional.ofNullable(closed.get(batchId.toLowerCase(java.util.Locale.ROOT)));
  }

  /** The last block replayed and sealed: every window ending by then is closed. */
  public long lastBlock() {
    return lastBlock;
  }

  /**
   * The end of the chain read: a batch the chain paid that replay never closed is a difference,
   * unless it paid nothing.
   */
  public Summary finish() {
    for (BatchSettled s : settledEarly.values()) {
      // A batch that moved no money (the sample scenario settles one before any fee) has nothing
      // to check; any other batch the log does not give is a difference.
      boolean paidNothing =
          SettledCheck.paysNothing(
              s.getTotal().toBigIntegerExact(),
              s.getAmounts().stream().map(a -> a.toBigIntegerExact()).toList());
      if (paidNothing) {
        zeroWei++;
      } else {
        differing++;
      }
      verdicts.accept(
          new Verdict(
              s.getBatchId(),
              s.getPosition().getBlockNumber(),
              null,
              s,
              paidNothing
                  ? Optional.empty()
                  : Optional.of(
                      "no such batch in the replay (the chain paid a batch its log does not give)")));
    }
    settledEarly.clear();
    return new Summary(
        lastBlock,
        batchesClosed,
        matched,
        differing,
        zeroWei,
        closed.size(),
        rejections,
        HexFormat.of().formatHex(roots.digest()));
  }

  /**
   * What a replay found: every batch closed (their ids and roots digested in closing order), the
   * settled ones that matched or differ, the closed ones not (yet) settled, the records the jobs
   * would have dead-lettered.
   */
  public record Summary(
      long throughBlock,
      long batchesClosed,
      long matched,
      long differing,
      long zeroWei,
      long unsettled,
      long rejections,
      String rootsDigest) {

    public String line() {
      return "replay through block "
          + throughBlock
          + ": "
          + batchesClosed
          + " batches closed, "
          + (matched + differing + zeroWei)
          + " settled on chain: "
          + matched
          + " match, "
          + differing
          + " differ, "
          + zeroWei
          + " zero-wei; "
          + unsettled
          + " closed but not settled yet; "
          + rejections
          + " records dead-lettered; batches digest sha256:"
          + rootsDigest;
    }
  }

  private void settled(BatchSettled s) {
    String id = s.getBatchId().toLowerCase(java.util.Locale.ROOT);
    PayoutBatcher.Batch b = closed.remove(id);
    if (b == null) {
      settledEarly.put(id, s);
      return;
    }
    judge(b, s);
  }

  private void judge(PayoutBatcher.Batch expected, BatchSettled s) {
    Optional<String> difference = SettledCheck.firstDifference(expected, s);
    if (difference.isEmpty()) {
      matched++;
    } else {
      differing++;
    }
    verdicts.accept(
        new Verdict(expected.batchId(), s.getPosition().getBlockNumber(), expected, s, difference));
  }

  private final class LedgerOutput implements PaymentLedger.Output {
    @Override
    public void accrual(Accrual accrual) {}

    @Override
    public void batch(PayoutBatcher.Batch batch) {
      batchesClosed++;
      closed.put(batch.batchId().toLowerCase(java.util.Locale.ROOT), batch);
      String line = batch.batchId() + " " + batch.merkleRoot() + " " + batch.total() + "\n";
      roots.update(line.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void rejected(Rejection rejection) {
      rejections++;
    }
  }
}
