package org.openledger.bridge.settle;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.openledger.bridge.domain.settle.Attempt;
import org.openledger.bridge.domain.settle.BatchCheck;
import org.openledger.bridge.domain.settle.Observation;
import org.openledger.bridge.domain.settle.SettlementDecision;
import org.openledger.bridge.domain.settle.SettlementDecision.Decision;
import org.openledger.pipeline.PayoutBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * Settles one {@code PayoutBatch} on chain, once: observe, {@link SettlementDecision#decide}, act,
 * until the batch is settled (by this run or an earlier one) or refused. Every signed transaction
 * is recorded before it is broadcast; transient node errors are retried with backoff. A refusal
 * names the contract's error (e.g. WindowCapExceeded, WindowOutOfOrder) and is counted; the caller
 * dead-letters it. A window not yet closed is waited for, not refused.
 */
final class SettlementWriter {

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

  private final SettlementChain chain;
  private final ProgressStore progress;
  private final SettlementMetrics metrics;
  private final Timing timing;
  private final LongSupplier clock;
  private String receiptLogged = "";
  private String waitLogged = "";

  /**
   * How far past the head a batch's window may end and still be waited for: the payment job closes
   * a window only once the log is sealed past it, so only a node that lags the follower's sees it
   * ahead.
   */
  static final long MAX_BLOCKS_AHEAD = 64;

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
    this.clock = clock;
  }

  Outcome settle(PayoutBatch batch) throws InterruptedException {
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
      return refused(id, problem.get());
    }
    // The contract takes only the id derived from (its chain, the window, the sub-batch).
    String derived =
        WindowBatchId.hex(
            chain.chainId(), batch.getWindowStart(), batch.getWindowEnd(), batch.getSubBatch());
    if (!derived.equalsIgnoreCase(id)) {
      return refused(
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
              + ")");
    }
    String data;
    try {
      data =
          chain.settleCall(
              id,
              batch.getWindowStart(),
              batch.getWindowEnd(),
              batch.getSubBatch(),
              batch.getSubBatchCount(),
              batch.getPayees(),
              amounts,
              batch.getMerkleRoot());
    } catch (RuntimeException e) { // e.g. a payee web3j cannot encode
      return refused(id, "cannot encode settle: " + e.getMessage());
    }
    long backoff = 100;
    while (true) {
      try {
        Outcome outcome = step(id, data, batch.getWindowEnd());
        if (outcome != null) {
          return outcome;
        }
        backoff = 100;
        Thread.sleep(timing.pollMillis());
      } catch (IOException e) {
        metrics.transientErrors.incrementAndGet();
        LOG.warn("batch {}: {} (retrying in {} ms)", id, e.getMessage(), backoff);
        Thread.sleep(backoff);
        backoff = Math.min(timing.maxBackoffMillis(), backoff * 2);
      }
    }
  }

  /** One look and one action; an outcome when the batch is done, else null (look again). */
  private Outcome step(String id, String data, long windowEnd) throws IOException {
    List<Attempt> attempts = progress.attempts(id);
    Optional<Observation.Receipt> receipt = chain.receipt(attempts);
    Observation seen =
        new Observation(
            chain.isSettled(id),
            attempts,
            receipt,
            !attempts.isEmpty() && chain.known(attempts.get(attempts.size() - 1)),
            chain.nonce(DefaultBlockParameterName.LATEST),
            chain.head(),
            clock.getAsLong());
    Decision decision =
        SettlementDecision.decide(seen, timing.confirmations(), timing.stuckAfterMillis());
    if (decision instanceof SettlementDecision.Settled s) {
      metrics.settled.incrementAndGet();
      LOG.info("batch {} settled by {} at block {}", id, s.txHash(), s.block());
      progress.done(id);
      return new Outcome(Outcome.Kind.SETTLED, s.txHash());
    } else if (decision instanceof SettlementDecision.AlreadySettled) {
      metrics.alreadySettled.incrementAndGet();
      LOG.info("batch {} is already settled on chain; not sending", id);
      progress.done(id);
      return new Outcome(Outcome.Kind.ALREADY_SETTLED, "");
    } else if (decision instanceof SettlementDecision.Refused r) {
      // A mined revert carries no error name: simulate again to say which rule refused it.
      SettlementChain.Preflight now = chain.preflight(data);
      return refused(id, r.reason() + (now.revert() == null ? "" : " (now: " + now.revert() + ")"));
    } else if (decision instanceof SettlementDecision.Send) {
      return send(id, data, null, windowEnd);
    } else if (decision instanceof SettlementDecision.Replace r) {
      metrics.replacements.incrementAndGet();
      return send(id, data, r.nonce(), windowEnd);
    } else if (decision instanceof SettlementDecision.Wait && receipt.isPresent()) {
      if (!receiptLogged.equals(receipt.get().txHash())) {
        receiptLogged = receipt.get().txHash();
        LOG.info(
            "batch {}: receipt of {} in block {}, waiting for {} confirmations",
            id,
            receipt.get().txHash(),
            receipt.get().block(),
            timing.confirmations());
      }
    } else if (decision instanceof SettlementDecision.Rebroadcast r) {
      LOG.info("batch {}: re-broadcasting {}", id, r.attempt().txHash());
      chain.broadcast(r.attempt());
    }
    return null; // Wait, or an action taken: look again
  }

  /** Simulates, signs, records, then broadcasts; {@code replacing} keeps the nonce. */
  private Outcome send(String id, String data, Long replacing, long windowEnd) throws IOException {
    SettlementChain.Preflight preflight = chain.preflight(data);
    if (preflight.revert() != null) {
      if (preflight.revert().startsWith("BatchAlreadySettled")) {
        return null; // the next look sees it settled
      }
      if (preflight.revert().startsWith(SettlementChain.NOT_CLOSED)) {
        // The window's last block is the head (the node simulates in it): the next block closes
        // it. A window far past the head is no window the payment job closed: refuse it.
        long head = chain.head();
        if (windowEnd - head <= MAX_BLOCKS_AHEAD) {
          if (!waitLogged.equals(id)) {
            waitLogged = id;
            LOG.info("batch {}: window ends at block {}, head {}: waiting", id, windowEnd, head);
          }
          return null;
        }
      }
      return refused(id, "settle would revert: " + preflight.revert());
    }
    BigInteger gasPrice = chain.gasPrice();
    long nonce;
    if (replacing != null) {
      nonce = replacing;
      BigInteger last = progress.attempts(id).get(progress.attempts(id).size() - 1).gasPrice();
      // nodes accept a replacement at +10% or more; +25% leaves room
      gasPrice =
          gasPrice.max(
              last.multiply(BigInteger.valueOf(5))
                  .divide(BigInteger.valueOf(4))
                  .add(BigInteger.ONE));
    } else {
      nonce = Math.max(chain.nonce(DefaultBlockParameterName.PENDING), progress.nextNonce());
    }
    BigInteger gas = preflight.gas().multiply(BigInteger.valueOf(5)).divide(BigInteger.valueOf(4));
    Attempt attempt = chain.sign(data, nonce, gasPrice, gas, clock.getAsLong());
    progress.add(id, attempt); // recorded before it can reach the chain
    LOG.info(
        "batch {}: sending {} (nonce {}, gas price {})", id, attempt.txHash(), nonce, gasPrice);
    chain.broadcast(attempt);
    metrics.sent.incrementAndGet();
    return null;
  }

  private Outcome refused(String id, String reason) {
    metrics.refused.incrementAndGet();
    LOG.warn("batch {} refused: {}", id, reason);
    progress.done(id);
    return new Outcome(Outcome.Kind.REFUSED, reason);
  }
}
