package org.openledger.bridge.slash;

import java.io.IOException;
import org.openledger.bridge.domain.slash.FlagDecision;
import org.openledger.bridge.domain.slash.SlashReasons;
import org.openledger.pipeline.SlashProposal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one slash proposal to the chain: reads the contribution's state, decides ({@link
 * FlagDecision}), sends one {@code flag} when it is not flagged yet, and on a revert, a timeout or
 * an unreachable node reads again after a doubling back-off. Returns only with an outcome the
 * caller can commit the proposal's offset on.
 */
final class SlashSubmitter {

  private static final Logger LOG = LoggerFactory.getLogger(SlashSubmitter.class);

  /** Back-off between tries and how many failed sends end in a dead letter. */
  record Retry(int maxSends, long initialMillis, long maxMillis) {
    Retry {
      if (maxSends < 1 || initialMillis < 0 || maxMillis < initialMillis) {
        throw new IllegalArgumentException("invalid retry: " + maxSends + ", " + initialMillis);
      }
    }
  }

  /** Waits; a test passes one that records instead of sleeping. */
  interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  /** What became of a proposal: {@code deadLetter} is non-null when it goes to the dead letters. */
  record Outcome(FlagDecision.Decision decision, String deadLetter) {}

  private final FlagChain chain;
  private final SlashSubmitterMetrics metrics;
  private final Retry retry;
  private final Sleeper sleeper;

  SlashSubmitter(FlagChain chain, SlashSubmitterMetrics metrics, Retry retry, Sleeper sleeper) {
    this.chain = chain;
    this.metrics = metrics;
    this.retry = retry;
    this.sleeper = sleeper;
  }

  Outcome submit(SlashProposal p) throws InterruptedException {
    long id = p.getContributionId();
    int failedSends = 0;
    int unreachable = 0;
    while (true) {
      FlagDecision.Decision d;
      try {
        FlagChain.State s = chain.read(id);
        d =
            FlagDecision.decide(
                p.getRemoved(), s.status(), s.flagState(), failedSends, retry.maxSends());
      } catch (IOException e) {
        metrics.transientErrors.incrementAndGet();
        LOG.warn("contribution {}: node unreachable ({}), reading again", id, e.getMessage());
        sleeper.sleep(backoff(++unreachable));
        continue;
      }
      if (d instanceof FlagDecision.Flag) {
        FlagChain.Sent sent;
        try {
          metrics.sent.incrementAndGet();
          sent = chain.flag(id, SlashReasons.reasonCode(p), SlashReasons.evidence(p));
        } catch (IOException e) {
          // Maybe sent, maybe not: the next read tells, and the contract refuses a second flag.
          metrics.transientErrors.incrementAndGet();
          LOG.warn("contribution {}: flag not confirmed ({}), reading again", id, e.getMessage());
          sleeper.sleep(backoff(++unreachable));
          continue;
        }
        if (sent.ok()) {
          metrics.flagged.incrementAndGet();
          LOG.info("contribution {} flagged: {}", id, sent.detail());
          return new Outcome(d, null);
        }
        failedSends++;
        metrics.failedSends.incrementAndGet();
        LOG.warn("contribution {}: flag failed ({}), try {}", id, sent.detail(), failedSends);
        sleeper.sleep(backoff(failedSends));
        continue;
      }
      return settled(id, d);
    }
  }

  /** Counts a final decision; a give-up goes to the dead letters. */
  private Outcome settled(long id, FlagDecision.Decision d) {
    if (d instanceof FlagDecision.GiveUp g) {
      metrics.deadLetters.incrementAndGet();
      return new Outcome(d, "contribution " + id + ": " + g.reason());
    }
    if (d instanceof FlagDecision.AlreadyFlagged) {
      metrics.alreadyFlagged.incrementAndGet();
    } else if (d instanceof FlagDecision.Closed) {
      metrics.closed.incrementAndGet();
    } else if (d instanceof FlagDecision.Retracted) {
      metrics.retracted.incrementAndGet();
    } else {
      metrics.unknown.incrementAndGet();
    }
    LOG.info("contribution {}: {}", id, d);
    return new Outcome(d, null);
  }

  private long backoff(int attempt) {
    return FlagDecision.backoffMillis(attempt, retry.initialMillis(), retry.maxMillis());
  }
}
