package org.openledger.bridge.workload;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.openledger.bridge.workload.InferenceStream.Outcome;
import org.openledger.bridge.workload.InferenceStream.Sent;

/**
 * The payments sent without waiting, matched to the receipts of each block as blocks are read in
 * bulk: keeps the workload's accounting (each payment's block and send time, fees, reverted and
 * lost counts) and, per account, the nonces still in flight, which the gap check needs. Gap fillers
 * (no-op transfers) are tracked so their nonces count, but never as payments.
 */
final class PaymentTracker {

  /** One transaction sent and not yet seen mined. */
  record Pending(
      String hash, String account, long nonce, long sentAtMillis, BigInteger fee, boolean filler) {}

  /** A transaction of a block: its hash and whether it succeeded. */
  record Mined(String hash, boolean ok) {}

  private final Map<String, Pending> inFlight = new HashMap<>();
  private final Map<String, Pending> lostOnes = new HashMap<>();
  private final Map<String, TreeMap<Long, String>> nonces = new HashMap<>();
  private final List<Sent> sent = new ArrayList<>();
  private final TreeMap<Long, Long> blockSeen = new TreeMap<>();
  private int payments;
  private int lost;
  private int reverted;

  synchronized void sending(Pending p) {
    inFlight.put(p.hash(), p);
    nonces.computeIfAbsent(p.account(), a -> new TreeMap<>()).put(p.nonce(), p.hash());
    if (!p.filler()) {
      payments++;
    }
  }

  /**
   * The transactions of block {@code block}, first read at {@code seenAtMillis}: each one of ours
   * leaves the flight, as a payment in that block or as reverted. Returns how many were ours.
   */
  synchronized int mined(long block, long seenAtMillis, List<Mined> txs) {
    int ours = 0;
    for (Mined m : txs) {
      Pending p = remove(m.hash());
      if (p == null) {
        // Given up for lost, yet mined after all (the node had it queued behind a gap).
        p = lostOnes.remove(m.hash());
        if (p == null) {
          continue;
        }
        lost--;
      }
      ours++;
      blockSeen.putIfAbsent(block, seenAtMillis);
      if (p.filler()) {
        continue;
      }
      if (m.ok()) {
        sent.add(new Sent(block, p.sentAtMillis(), p.fee(), p.hash()));
      } else {
        // Mined, but failed: no InferencePaid event, so nothing for the pipeline.
        reverted++;
      }
    }
    return ours;
  }

  /**
   * A payment that will never be mined (the node dropped it, or refused it): lost, like one whose
   * block a reorg took before its receipt was seen. Returns whether it was a payment in flight. A
   * receipt that still comes for it makes it a payment again: a node may hold a transaction it does
   * not report (anvil's queue behind a gap), so lost is final only at the end.
   */
  synchronized boolean lost(String hash) {
    Pending p = remove(hash);
    if (p == null || p.filler()) {
      return false;
    }
    lostOnes.put(hash, p);
    lost++;
    return true;
  }

  /**
   * Back in flight: a payment counted lost that the node turns out to hold (it refused another
   * transaction at the same nonce). Returns whether it was counted lost.
   */
  synchronized boolean found(String hash) {
    Pending p = lostOnes.remove(hash);
    if (p == null) {
      return false;
    }
    lost--;
    inFlight.put(hash, p);
    nonces.computeIfAbsent(p.account(), a -> new TreeMap<>()).put(p.nonce(), hash);
    return true;
  }

  /** The payments counted lost so far, to look up once more at the end. */
  synchronized List<String> lostHashes() {
    return new ArrayList<>(lostOnes.keySet());
  }

  private Pending remove(String hash) {
    Pending p = inFlight.remove(hash);
    if (p != null) {
      TreeMap<Long, String> byNonce = nonces.get(p.account());
      if (hash.equals(byNonce.get(p.nonce()))) {
        byNonce.remove(p.nonce());
      }
    }
    return p;
  }

  /** The account's transactions in flight, by nonce. */
  synchronized Map<Long, String> inFlightNonces(String account) {
    return new TreeMap<>(nonces.getOrDefault(account, new TreeMap<>()));
  }

  /** The hashes of every transaction in flight. */
  synchronized List<String> inFlightHashes() {
    return new ArrayList<>(inFlight.keySet());
  }

  /** The highest nonce of the account's transactions in flight sent before {@code millis}. */
  synchronized OptionalLong lastNonceSentBefore(String account, long millis) {
    return inFlight.values().stream()
        .filter(p -> p.account().equals(account) && p.sentAtMillis() < millis)
        .mapToLong(Pending::nonce)
        .max();
  }

  /** Payments (not fillers) sent and not yet seen mined, reverted or lost. */
  synchronized int paymentsInFlight() {
    return payments - sent.size() - lost - reverted;
  }

  synchronized int inFlight() {
    return inFlight.size();
  }

  /** What the stream did; the first read time of each block goes with it. */
  synchronized Outcome outcome() {
    return new Outcome(new ArrayList<>(sent), lost, reverted, new TreeMap<>(blockSeen));
  }
}
