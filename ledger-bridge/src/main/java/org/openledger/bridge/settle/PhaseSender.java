package org.openledger.bridge.settle;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.openledger.bridge.domain.settle.Attempt;
import org.openledger.bridge.domain.settle.Observation;
import org.openledger.bridge.domain.settle.SettlementDecision;
import org.openledger.bridge.domain.settle.SettlementDecision.Decision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * Gets one transaction of a batch's phase (its proposal, or its finalization) onto the chain once:
 * each look observes the chain and the recorded attempts, {@link SettlementDecision#decide}s, and
 * acts (send, re-broadcast, replace, or wait). Every signed transaction is recorded under the
 * phase's key before it is broadcast, so a restart finds it instead of sending anew.
 */
final class PhaseSender {

  private static final Logger LOG = LoggerFactory.getLogger(PhaseSender.class);

  /** What a look ended in: done by us, done before, refused, or nothing yet (look again). */
  enum Result {
    DONE,
    DONE_BEFORE,
    REFUSED,
    PENDING
  }

  /** One look's result, with the transaction and its block (done) or the reason (refused). */
  record Look(Result result, String detail) {
    static final Look PENDING = new Look(Result.PENDING, "");
  }

  /** The chain's word on whether the phase's effect is there (proposed, or paid). */
  interface DoneCheck {
    boolean done() throws IOException;
  }

  private final SettlementChain chain;
  private final ProgressStore progress;
  private final SettlementMetrics metrics;
  private final SettlementWriter.Timing timing;
  private final LongSupplier clock;
  // Receipts already logged (the last few hundred: many batches may be in flight at once).
  private final java.util.Set<String> receiptLogged =
      java.util.Collections.newSetFromMap(
          new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
              return size() > 256;
            }
          });

  PhaseSender(
      SettlementChain chain,
      ProgressStore progress,
      SettlementMetrics metrics,
      SettlementWriter.Timing timing,
      LongSupplier clock) {
    this.chain = chain;
    this.progress = progress;
    this.metrics = metrics;
    this.timing = timing;
    this.clock = clock;
  }

  /**
   * One look at the phase recorded under {@code key}, sending {@code data} when nothing usable is
   * in flight; {@code waitable} tells which simulated refusals a later block cures.
   */
  Look look(String key, String data, DoneCheck doneCheck, Waitable waitable) throws IOException {
    List<Attempt> attempts = progress.attempts(key);
    // The chain's word first, then the receipts: an attempt mined between the two reads then shows
    // as a receipt not yet done (looked at again), never as done by someone else.
    boolean done = doneCheck.done();
    Optional<Observation.Receipt> receipt = chain.receipt(attempts);
    Observation seen =
        new Observation(
            done,
            attempts,
            receipt,
            !attempts.isEmpty() && chain.known(attempts.get(attempts.size() - 1)),
            chain.nonce(DefaultBlockParameterName.LATEST),
            chain.head(),
            clock.getAsLong());
    Decision decision =
        SettlementDecision.decide(seen, timing.confirmations(), timing.stuckAfterMillis());
    if (decision instanceof SettlementDecision.Settled s) {
      return new Look(Result.DONE, s.txHash() + " at block " + s.block());
    } else if (decision instanceof SettlementDecision.AlreadySettled) {
      return new Look(Result.DONE_BEFORE, "");
    } else if (decision instanceof SettlementDecision.Refused r) {
      // A mined revert carries no error name: simulate again to say which rule refused it.
      SettlementChain.Preflight now = chain.preflight(data);
      return new Look(
          Result.REFUSED,
          r.reason() + (now.revert() == null ? "" : " (now: " + now.revert() + ")"));
    } else if (decision instanceof SettlementDecision.Send) {
      return send(key, data, null, waitable);
    } else if (decision instanceof SettlementDecision.Replace r) {
      metrics.replacements.incrementAndGet();
      return send(key, data, r.nonce(), waitable);
    } else if (decision instanceof SettlementDecision.Wait && receipt.isPresent()) {
      if (receiptLogged.add(receipt.get().txHash())) {
        LOG.info(
            "{}: receipt of {} in block {}, waiting for {} confirmations",
            key,
            receipt.get().txHash(),
            receipt.get().block(),
            timing.confirmations());
      }
    } else if (decision instanceof SettlementDecision.Rebroadcast r) {
      LOG.info("{}: re-broadcasting {}", key, r.attempt().txHash());
      chain.broadcast(r.attempt());
    }
    return Look.PENDING; // Wait, or an action taken: look again
  }

  /** Which simulated refusals are waited out: a reason if refused for good, else null. */
  interface Waitable {
    String refusal(String revert) throws IOException;
  }

  /** Simulates, signs, records, then broadcasts; {@code replacing} keeps the nonce. */
  private Look send(String key, String data, Long replacing, Waitable waitable) throws IOException {
    SettlementChain.Preflight preflight = chain.preflight(data);
    if (preflight.revert() != null) {
      String refusal = waitable.refusal(preflight.revert());
      return refusal == null ? Look.PENDING : new Look(Result.REFUSED, refusal);
    }
    BigInteger gasPrice = chain.gasPrice();
    long nonce;
    if (replacing != null) {
      nonce = replacing;
      List<Attempt> attempts = progress.attempts(key);
      BigInteger last = attempts.get(attempts.size() - 1).gasPrice();
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
    progress.add(key, attempt); // recorded before it can reach the chain
    LOG.info("{}: sending {} (nonce {}, gas price {})", key, attempt.txHash(), nonce, gasPrice);
    chain.broadcast(attempt);
    metrics.sent.incrementAndGet();
    return Look.PENDING;
  }
}
