package org.openledger.bridge.domain.settle;

import java.util.List;
import java.util.Optional;

/**
 * What the settlement writer sees of one phase of a batch (its proposal, or its finalization) at
 * one moment: the chain's word on the phase's effect, its own recorded attempts, a receipt of one
 * of them, and the settler account's nonce.
 *
 * @param doneOnChain whether the chain shows the phase's effect (the batch proposed, or paid)
 * @param attempts the recorded sends for this batch, oldest first
 * @param receipt a receipt of one of the attempts, if one was mined
 * @param latestKnown whether the node knows the latest attempt (pending or mined)
 * @param confirmedNonce the settler's nonce at the latest block: nonces below it are used up
 */
public record Observation(
    boolean doneOnChain,
    List<Attempt> attempts,
    Optional<Receipt> receipt,
    boolean latestKnown,
    long confirmedNonce,
    long headBlock,
    long nowMillis) {

  /** A mined attempt: where, and whether it succeeded (with the revert reason if not). */
  public record Receipt(String txHash, long block, boolean success, String revertReason) {}

  public Optional<Attempt> latest() {
    return attempts.isEmpty() ? Optional.empty() : Optional.of(attempts.get(attempts.size() - 1));
  }
}
