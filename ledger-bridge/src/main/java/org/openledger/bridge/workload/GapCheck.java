package org.openledger.bridge.workload;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.openledger.bridge.workload.PaymentTracker.Pending;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.EthTransaction;

/**
 * The fast sender's repair of nonce gaps: a transaction the node dropped (a reorg, a cleared pool,
 * a batch cut short) holds back every later nonce of its account. Found from the chain's own count
 * and filled with no-op transfers, so the account's later payments can be mined.
 */
final class GapCheck {

  private static final Logger LOG = LoggerFactory.getLogger(GapCheck.class);

  /** A transaction older than this with its account's count not past it is checked for a gap. */
  static final long STALL_MILLIS = 10_000;

  private final Web3j web3;
  private final PaymentTracker tracker;
  private final Collection<Credentials> accounts;
  private final BiFunction<RawTransaction, Credentials, String> signer;
  private final Map<String, Long> lastConfirmed = new ConcurrentHashMap<>();

  GapCheck(
      Web3j web3,
      PaymentTracker tracker,
      Collection<Credentials> accounts,
      BiFunction<RawTransaction, Credentials, String> signer) {
    this.web3 = web3;
    this.tracker = tracker;
    this.accounts = accounts;
    this.signer = signer;
  }

  /**
   * For each account with a transaction in flight older than {@link #STALL_MILLIS} and a count that
   * has not moved since the last check (every 5 s): the nonces from the chain's count up to that
   * transaction's that no transaction the node knows holds. Their payments are lost; each hole gets
   * a no-op transfer so later nonces can be mined.
   */
  void check() throws IOException {
    long now = System.currentTimeMillis();
    for (Credentials account : accounts) {
      String address = account.getAddress();
      OptionalLong stalled = tracker.lastNonceSentBefore(address, now - STALL_MILLIS);
      if (stalled.isEmpty()) {
        continue;
      }
      long confirmed = count(address, DefaultBlockParameterName.LATEST);
      // A count that moved since the last check is a node behind, not a gap: the lookups below
      // would only load it further.
      Long before = lastConfirmed.put(address, confirmed);
      if (before == null || before != confirmed) {
        continue;
      }
      // Only up to transactions sent long ago: a newer one may still be on its way to the node.
      long upTo = Math.max(confirmed, stalled.getAsLong() + 1);
      Map<Long, String> flying = tracker.inFlightNonces(address);
      Set<String> known = known(flying, confirmed, upTo);
      List<Long> holes = NonceBook.holes(confirmed, upTo, flying, known::contains);
      for (long n : holes) {
        String hash = flying.get(n);
        if (hash != null && tracker.lost(hash)) {
          LOG.warn("workload: payment {} (nonce {}) dropped by the node: lost", hash, n);
        }
        if (!fill(account, n) && hash != null) {
          // The node holds a transaction at that nonce after all: ours, queued behind a gap.
          tracker.found(hash);
        }
      }
      if (!holes.isEmpty()) {
        LOG.warn("workload: {} nonce holes of {} filled from {}", holes.size(), address, confirmed);
      }
    }
  }

  /** Which of the account's transactions in flight with nonces in [from, to) the node knows. */
  private Set<String> known(Map<Long, String> flying, long from, long to) throws IOException {
    List<String> hashes = new ArrayList<>();
    flying.forEach(
        (n, h) -> {
          if (n >= from && n < to) {
            hashes.add(h);
          }
        });
    Set<String> known = new HashSet<>();
    for (int i = 0; i < hashes.size(); i += 200) {
      BatchRequest batch = web3.newBatch();
      List<String> part = hashes.subList(i, Math.min(hashes.size(), i + 200));
      part.forEach(h -> batch.add(web3.ethGetTransactionByHash(h)));
      List<? extends Response<?>> responses = batch.send().getResponses();
      for (int j = 0; j < responses.size(); j++) {
        if (((EthTransaction) responses.get(j)).getTransaction().isPresent()) {
          known.add(part.get(j));
        }
      }
    }
    return known;
  }

  /**
   * A zero-value transfer to itself at {@code nonce}: takes the nonce, pays nobody. Returns false
   * when the node refused it because it holds another transaction at that nonce.
   */
  private boolean fill(Credentials account, long nonce) throws IOException {
    String hex =
        signer.apply(
            RawTransaction.createEtherTransaction(
                BigInteger.valueOf(nonce),
                RawInferenceStream.GAS_PRICE,
                BigInteger.valueOf(21_000),
                account.getAddress(),
                BigInteger.ZERO),
            account);
    String hash = Hash.sha3(hex);
    tracker.sending(
        new Pending(
            hash, account.getAddress(), nonce, System.currentTimeMillis(), BigInteger.ZERO, true));
    EthSendTransaction r = web3.ethSendRawTransaction(hex).send();
    if (r.hasError()) {
      tracker.lost(hash);
      String error = r.getError().getMessage();
      if (error.contains("underpriced") || error.contains("already")) {
        return false;
      }
      LOG.warn("workload: filling nonce {} of {} refused: {}", nonce, account.getAddress(), error);
    }
    return true;
  }

  private long count(String address, DefaultBlockParameterName at) throws IOException {
    return web3.ethGetTransactionCount(address, at).send().getTransactionCount().longValueExact();
  }
}
