package org.openledger.bridge.workload;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The next nonce of each payer account, fetched from the chain once and counted up here, so a
 * payment is signed without a round trip to the node. A transaction the node dropped (a reorg, a
 * cleared pool) leaves a gap that holds back every later nonce of its account; {@link #holes} finds
 * such gaps from the chain's own count so they can be filled.
 */
final class NonceBook {

  private final Map<String, Long> next = new HashMap<>();

  /** Starts counting {@code account} at the chain's count (never moves an account back). */
  synchronized void start(String account, long chainCount) {
    next.merge(account, chainCount, Math::max);
  }

  /** The nonce for the account's next transaction; the following call gets the one after. */
  synchronized long take(String account) {
    Long n = next.get(account);
    if (n == null) {
      throw new IllegalStateException("no nonce counted for " + account);
    }
    next.put(account, n + 1);
    return n;
  }

  /** The nonce {@link #take} would hand out next, without taking it. */
  synchronized long peek(String account) {
    Long n = next.get(account);
    if (n == null) {
      throw new IllegalStateException("no nonce counted for " + account);
    }
    return n;
  }

  /**
   * The nonces in [{@code confirmed}, {@code next}) that no transaction the node still knows holds:
   * the chain cannot pass the first of them until each is filled. {@code inFlight} maps the nonces
   * of transactions sent and not yet seen mined to their hashes; a nonce without one (its
   * transaction was seen mined, then a reorg took its block) is a hole too.
   */
  static List<Long> holes(
      long confirmed, long next, Map<Long, String> inFlight, Predicate<String> knownToNode) {
    List<Long> holes = new ArrayList<>();
    for (long n = confirmed; n < next; n++) {
      String hash = inFlight.get(n);
      if (hash == null || !knownToNode.test(hash)) {
        holes.add(n);
      }
    }
    return holes;
  }
}
