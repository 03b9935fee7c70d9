package org.openledger.replay;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.openledger.events.ChainEvent;
import org.openledger.events.ChainPosition;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * {@code watch}'s loop: the replay ({@link Replayer}) fed block by block from block 0 up to the
 * safe head and then on as the chain grows, and after each block every {@code BatchProposed} seen
 * so far judged ({@link ChallengeDecision}) against the batch the replay closed under its id. A
 * differing proposal still open is challenged once ({@link Challenger}, journaled); one whose
 * window is not replayed yet, or whose challenge is not mined yet, waits. Memory: the replay's
 * state plus the proposals still waiting.
 */
final class Watcher {

  private final Replayer replayer;
  private final ChainLog chain;
  private final long chainId;
  private final Challenger challenger;
  private final ChallengeJournal journal;
  private final WatchMetrics metrics;
  private final PrintStream out;
  private final PrintStream progress;
  private final List<Proposal> arrived = new ArrayList<>();
  private final List<Proposal> pending = new ArrayList<>();
  private final Set<String> noted = new HashSet<>(); // waits and refusals already logged
  private ChainLog.Progress catchUp;
  private long next;
  private long head = -1;
  private long lastShown;

  Watcher(
      Replayer replayer,
      ChainLog chain,
      long chainId,
      String settlement,
      Challenger challenger,
      ChallengeJournal journal,
      WatchMetrics metrics,
      PrintStream out,
      PrintStream progress) {
    this.replayer = replayer;
    this.chain = chain.rawLogs(log -> Proposal.of(log, settlement).ifPresent(arrived::add));
    this.chainId = chainId;
    this.challenger = challenger;
    this.journal = journal;
    this.metrics = metrics;
    this.out = out;
    this.progress = progress;
    this.catchUp = ReplayApp.progressLines(progress, "watch: replaying");
  }

  /**
   * One look: replays the blocks up to {@code head - confirmations} not replayed yet, judging the
   * proposals after each block, then judges what still waits (e.g. a challenge's receipt).
   */
  void look(long confirmations) throws Exception {
    head = chain.head();
    metrics.head.set(head);
    long safe = head - confirmations;
    if (safe >= next) {
      arrived.clear(); // a read that failed half way may have left a block's logs here
      ChainLog.Progress shown = catchUp != null ? catchUp : this::following;
      chain.read(chainId, next, safe, this::block, shown);
      catchUp = null; // the first read catches up from block 0; later ones follow the head
    }
    judgeAll();
  }

  /** The proposals waiting: their window not replayed yet, or our challenge not mined yet. */
  int waiting() {
    return pending.size();
  }

  private void block(ChainPosition seal, List<ChainEvent> events) throws Exception {
    replayer.block(seal, events);
    // A read that fails half way (a node error) resumes after the last block replayed.
    next = seal.getBlockNumber() + 1;
    metrics.replayedBlock.set(seal.getBlockNumber());
    pending.addAll(arrived);
    arrived.clear();
    judgeAll();
  }

  private void following(long through, long to, long logs) {
    long now = System.nanoTime();
    if (through == to && now - lastShown >= 10_000_000_000L) {
      lastShown = now;
      progress.printf(
          "watch: following the head, replayed through block %d, %d proposals waiting, %d"
              + " challenges sent%n",
          through, pending.size(), metrics.challenges.get());
    }
  }

  private void judgeAll() throws IOException {
    pending.removeIf(this::judged);
    metrics.waiting.set(pending.size());
  }

  /** Judges one proposal; true once nothing is left to do for it. */
  private boolean judged(Proposal p) {
    try {
      return judge(p);
    } catch (IOException e) {
      progress.println("watch: " + p.batchId() + ": " + e.getMessage() + " (looking again)");
      return false;
    }
  }

  private boolean judge(Proposal p) throws IOException {
    var expected = replayer.closed(p.batchId());
    ChallengeDecision.Decision compared =
        ChallengeDecision.compare(p, expected, replayer.lastBlock());
    switch (compared.kind()) {
      case WAIT -> {
        if (noted.add(p.key() + "/wait")) {
          progress.println("watch: " + p.label() + " waits: " + compared.note());
        }
        return false;
      }
      case OK -> {
        metrics.checked.incrementAndGet();
        out.println(p.label() + ": ok (" + compared.note() + ")");
        return true;
      }
      default -> {}
    }
    Optional<ChallengeJournal.Entry> sent = journal.get(p.key());
    ChallengeDecision.Decision d =
        ChallengeDecision.decide(
            p,
            expected,
            replayer.lastBlock(),
            sent.isPresent() ? null : challenger.onChain(p.batchId()),
            sent.isPresent() ? head : Math.max(head, chain.head()),
            sent.map(ChallengeJournal.Entry::txHash));
    String line = p.label() + ": DIFFERENCE " + d.difference();
    if (noted.add(p.key() + "/differs")) {
      metrics.checked.incrementAndGet();
      metrics.differing.incrementAndGet();
    }
    switch (d.kind()) {
      case SENT -> {
        return confirmed(p, sent.get(), line);
      }
      case CHALLENGE -> {
        String[] refusal = {null};
        Optional<ChallengeJournal.Entry> entry =
            challenger.challenge(p.key(), p.batchId(), journal, refusal);
        if (entry.isPresent()) {
          metrics.challenges.incrementAndGet();
          progress.println("watch: " + line + ": challenging in tx " + entry.get().txHash());
        } else if (noted.add(p.key() + "/refused " + refusal[0])) {
          progress.println("watch: " + line + ": challenge would revert: " + refusal[0]);
        }
        return false; // the receipt, or another try, on the next look
      }
      case TOO_LATE -> metrics.tooLate.incrementAndGet();
      default -> metrics.notOpen.incrementAndGet();
    }
    out.println(line + "; " + d.note());
    return true;
  }

  /** A challenge of ours: done once mined; a reverted one is forgotten, a dropped one re-sent. */
  private boolean confirmed(Proposal p, ChallengeJournal.Entry entry, String line)
      throws IOException {
    Optional<TransactionReceipt> receipt = challenger.receipt(entry.txHash());
    if (receipt.isEmpty()) {
      if (!challenger.known(entry.txHash())) {
        progress.println("watch: re-broadcasting challenge " + entry.txHash());
        challenger.broadcast(entry);
      }
      return false;
    }
    if (!receipt.get().isStatusOK()) {
      progress.println(
          "watch: " + line + ": challenge " + entry.txHash() + " reverted; deciding again");
      journal.remove(p.key());
      return false;
    }
    out.println(
        line
            + "; challenged in tx "
            + entry.txHash()
            + " (block "
            + receipt.get().getBlockNumber()
            + ")");
    return true;
  }
}
