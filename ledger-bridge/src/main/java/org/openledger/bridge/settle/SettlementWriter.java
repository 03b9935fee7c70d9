package org.openledger.bridge.settle;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.openledger.bridge.domain.settle.BatchCheck;
import org.openledger.bridge.domain.settle.BatchOnChain;
import org.openledger.bridge.domain.settle.SettlementDecision;
import org.openledger.bridge.domain.settle.SettlementDecision.Phase;
import org.openledger.pipeline.PayoutBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles one {@code PayoutBatch} on chain, once, optimistically: proposes it (with the settler's
 * bond), waits out its challenge window (or governance, when challenged), then finalizes it, which
 * pays it; each look reads the batch's state from the chain and {@link SettlementDecision#phase}
 * says what to do. Each transaction is recorded before it is broadcast ({@link PhaseSender}), so a
 * crash at any point proposes and pays nothing twice; transient node errors are retried with
 * backoff. A refusal names the contract's error (e.g. WindowCapExceeded, WindowOutOfOrder) or says
 * that governance voided the proposal, and is counted; the caller dead-letters it. A window not yet
 * closed is waited for, not refused.
 */
final class SettlementWriter implements BatchPipeline.Steps {

  private static final Logger LOG = LoggerFactory.getLogger(SettlementWriter.class);

  /** How a batch ended. */
  record Outcome(Kind kind, String detail) {
    enum Kind {
      SETTLED,
      ALREADY_SETTLED,
      REFUSED
    }
  }

  /** Timing: confirmations a receipt needs, when an attempt is stuck, how often to look. */
  record Timing(
      long confirmations, long stuckAfterMillis, long pollMillis, long maxBackoffMillis) {}

  /**
   * How far past the head a batch's window may end and still be waited for: the payment job closes
   * a window only once the log is sealed past it, so only a node that lags the follower's sees it
   * ahead.
   */
  static final long MAX_BLOCKS_AHEAD = 64;

  private final SettlementChain chain;
  private final ProgressStore progress;
  private final SettlementMetrics metrics;
  private final Timing timing;
  private final PhaseSender sender;
  private boolean bondApproved;
  // What was last logged per batch in flight, so a wait is logged once, not on every look.
  private final java.util.Map<String, String> waitLogged = new java.util.HashMap<>();

  SettlementWriter(
      SettlementChain chain,
      ProgressStore progress,
      SettlementMetrics metrics,
      Timing timing,
      LongSupplier clock) {
    this.chain = chain;
    this.progress = progress;
    this.metrics = metrics;
    this.timing = timing;
    this.sender = new PhaseSender(chain, progress, metrics, timing, clock);
  }

  /**
   * Settles {@code batch} alone, looking until it is done: proposes, waits out the window,
   * finalizes. The settlement app pipelines many batches instead ({@link BatchPipeline}).
   */
  Outcome settle(PayoutBatch batch) throws InterruptedException {
    Prepared prepared = prepare(batch);
    if (prepared.outcome() != null) {
      return prepared.outcome();
    }
    long backoff = 100;
    while (true) {
      try {
        Outcome outcome = step(prepared.inFlight(), true);
        if (outcome != null) {
          return outcome;
        }
        backoff = 100;
        Thread.sleep(timing.pollMillis());
      } catch (IOException e) {
        metrics.transientErrors.incrementAndGet();
        LOG.warn("batch {}: {} (retrying in {} ms)", batch.getBatchId(), e.getMessage(), backoff);
        Thread.sleep(backoff);
        backoff = Math.min(timing.maxBackoffMillis(), backoff * 2);
      }
    }
  }

  /** A batch checked and encoded ({@code inFlight}), or refused before any of that. */
  record Prepared(InFlight inFlight, Outcome outcome) {}

  /**
   * A batch on its way to the chain: its encoded transactions, and whether its proposal has left
   * (sent, on chain, or past): a later batch's proposal waits for that, so windows reach the
   * contract in order even with many batches in flight.
   */
  static final class InFlight {
    final String id;
    private final Calls calls;
    private boolean proposalOut;

    InFlight(String id, Calls calls) {
      this.id = id;
      this.calls = calls;
    }

    boolean proposalOut() {
      return proposalOut;
    }

    void proposalOut(boolean out) {
      proposalOut = out;
    }
  }

  /** Checks the batch, derives its id and encodes its two transactions; nothing is sent. */
  @Override
  public Prepared prepare(PayoutBatch batch) {
    String id = batch.getBatchId();
    List<BigInteger> amounts = batch.getAmounts().stream().map(a -> a.toBigIntegerExact()).toList();
    Optional<String> problem =
        BatchCheck.problem(
            id,
            new BatchCheck.Window(
                batch.getWindowStart(),
                batch.getWindowEnd(),
                batch.getSubBatch(),
                batch.getSubBatchCount()),
            batch.getPayees(),
            amounts,
            batch.getTotal().toBigIntegerExact(),
            batch.getMerkleRoot());
    if (problem.isPresent()) {
      return new Prepared(null, refused(id, problem.get()));
    }
    // The contract takes only the id derived from (its chain, the window, the sub-batch).
    String derived =
        WindowBatchId.hex(
            chain.chainId(), batch.getWindowStart(), batch.getWindowEnd(), batch.getSubBatch());
    if (!derived.equalsIgnoreCase(id)) {
      return new Prepared(
          null,
          refused(
              id,
              "BatchIdMismatch: the id of chain "
                  + chain.chainId()
                  + ", window ["
                  + batch.getWindowStart()
                  + ", "
                  + batch.getWindowEnd()
                  + "], sub-batch "
                  + batch.getSubBatch()
                  + " is "
                  + derived
                  + " (the batch says chain "
                  + batch.getChainId()
                  + ")"));
    }
    Calls calls;
    try {
      calls =
          new Calls(
              chain.proposeCall(
                  id,
                  batch.getWindowStart(),
                  batch.getWindowEnd(),
                  batch.getSubBatch(),
                  batch.getSubBatchCount(),
                  batch.getPayees(),
                  amounts,
                  batch.getMerkleRoot()),
              chain.finalizeCall(id, batch.getPayees(), amounts),
              batch.getWindowEnd());
    } catch (RuntimeException e) { // e.g. a payee web3j cannot encode
      return new Prepared(null, refused(id, "cannot encode the batch: " + e.getMessage()));
    }
    return new Prepared(new InFlight(id, calls), null);
  }

  /** The encoded transactions of a batch, and its window's last block. */
  record Calls(String proposeData, String finalizeData, long windowEnd) {}

  /**
   * One look and one action; an outcome when the batch is done, else null (look again). With {@code
   * mayPropose} false a batch whose proposal has not left waits (an earlier window's proposal has
   * not left either).
   */
  @Override
  public Outcome step(InFlight f, boolean mayPropose) throws IOException {
    Outcome outcome = look(f, mayPropose);
    if (outcome != null) {
      waitLogged.remove(f.id);
    }
    return outcome;
  }

  private Outcome look(InFlight f, boolean mayPropose) throws IOException {
    String id = f.id;
    Calls calls = f.calls;
    if (!bondApproved) {
      chain.ensureBondAllowance();
      bondApproved = true;
    }
    Phase phase = SettlementDecision.phase(chain.onChain(id), chain.head());
    boolean proposing = phase instanceof SettlementDecision.Propose;
    if (proposing && !mayPropose && progress.attempts(id).isEmpty()) {
      return null;
    }
    f.proposalOut = !proposing;
    // A proposal of ours in flight (or not yet confirmed deep enough) is seen through first.
    if (proposing || !progress.attempts(id).isEmpty()) {
      PhaseSender.Look look =
          sender.look(
              id,
              calls.proposeData(),
              () -> proposedOrVoided(id),
              r -> proposeRefusal(id, r, calls));
      switch (look.result()) {
        case DONE -> {
          metrics.proposed.incrementAndGet();
          LOG.info("batch {} proposed by {}", id, look.detail());
          progress.done(id);
          f.proposalOut = true;
        }
        case DONE_BEFORE -> {
          progress.done(id);
          f.proposalOut = true;
        }
        case REFUSED -> {
          return refused(id, look.detail());
        }
        case PENDING -> f.proposalOut |= !progress.attempts(id).isEmpty();
      }
      return null;
    }
    String finalizeKey = id + "/finalize";
    if (phase instanceof SettlementDecision.AwaitWindow w) {
      logOnce(id + w, "batch {}: proposed; challenge window open to block {}", id, w.deadline());
    } else if (phase instanceof SettlementDecision.AwaitResolution) {
      if (!(id + phase).equals(waitLogged.get(id))) {
        metrics.challenged.incrementAndGet();
      }
      logOnce(id + phase, "batch {}: challenged; waiting for governance to resolve it", id, "");
    } else if (phase instanceof SettlementDecision.Voided) {
      progress.done(finalizeKey);
      return refused(
          id,
          "ChallengeUpheld: governance voided the proposal; its fees stay escrowed and the"
              + " window may be proposed again under the same id");
    } else if (phase instanceof SettlementDecision.Paid
        && progress.attempts(finalizeKey).isEmpty()) {
      metrics.alreadySettled.incrementAndGet();
      LOG.info("batch {} is already settled on chain; not sending", id);
      return new Outcome(Outcome.Kind.ALREADY_SETTLED, "");
    } else { // Finalize, or Paid with a finalization of ours to confirm
      PhaseSender.Look look =
          sender.look(finalizeKey, calls.finalizeData(), () -> paid(id), this::finalizeRefusal);
      switch (look.result()) {
        case DONE -> {
          metrics.settled.incrementAndGet();
          LOG.info("batch {} settled by {}", id, look.detail());
          progress.done(finalizeKey);
          return new Outcome(Outcome.Kind.SETTLED, look.detail());
        }
        case DONE_BEFORE -> {
          metrics.alreadySettled.incrementAndGet();
          LOG.info("batch {} is already settled on chain; not sending", id);
          progress.done(finalizeKey);
          return new Outcome(Outcome.Kind.ALREADY_SETTLED, "");
        }
        case REFUSED -> {
          progress.done(finalizeKey);
          return refused(id, look.detail());
        }
        case PENDING -> {}
      }
    }
    return null;
  }

  private boolean proposedOrVoided(String id) throws IOException {
    BatchOnChain onChain = chain.onChain(id);
    return onChain.state() != BatchOnChain.State.NONE || onChain.voided();
  }

  private boolean paid(String id) throws IOException {
    return chain.onChain(id).state() == BatchOnChain.State.SETTLED;
  }

  /** Null when a later look cures the simulated refusal of a proposal, else the reason. */
  private String proposeRefusal(String id, String revert, Calls calls) throws IOException {
    if (revert.startsWith("BatchAlreadySettled") || revert.startsWith("BatchAlreadyProposed")) {
      return null; // the next look sees it proposed or paid
    }
    if (revert.startsWith(SettlementChain.NOT_CLOSED)) {
      // The window's last block is the head (the node simulates in it): the next block closes
      // it. A window far past the head is no window the payment job closed: refuse it.
      long head = chain.head();
      if (calls.windowEnd() - head <= MAX_BLOCKS_AHEAD) {
        logOnce(
            id + "closed",
            "batch {}: window ends at block {}, waiting for it to close",
            id,
            calls.windowEnd());
        return null;
      }
    }
    return "propose would revert: " + revert;
  }

  /** Null when a later look cures the simulated refusal of a finalization, else the reason. */
  private String finalizeRefusal(String revert) {
    if (revert.startsWith(SettlementChain.WINDOW_OPEN)
        || revert.startsWith("WrongState")
        || revert.startsWith("BatchAlreadySettled")) {
      return null; // a node a block behind, or a state the next look's phase handles
    }
    return "finalize would revert: " + revert;
  }

  private void logOnce(String key, String format, String id, Object arg) {
    if (!key.equals(waitLogged.put(id, key))) {
      LOG.info(format, id, arg);
    }
  }

  private Outcome refused(String id, String reason) {
    metrics.refused.incrementAndGet();
    LOG.warn("batch {} refused: {}", id, reason);
    progress.done(id);
    return new Outcome(Outcome.Kind.REFUSED, reason);
  }
}
