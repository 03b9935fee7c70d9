package org.openledger.replay;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.openledger.bridge.contracts.Settlement;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.methods.response.Log;

/**
 * One {@code BatchProposed} of the settlement contract as the watcher judges it: the batch id, its
 * window and sub-batch, what it would pay (payees, amounts, total, root) and the last block a
 * challenge is taken in. Read from the raw log with the contract's own ABI (the generated wrapper).
 */
public record Proposal(
    String batchId,
    String proposer,
    long windowStart,
    long windowEnd,
    int subBatch,
    int subBatchCount,
    String root,
    BigInteger total,
    long deadline,
    List<String> payees,
    List<BigInteger> amounts,
    long block) {

  private static final String TOPIC =
      EventEncoder.encode(Settlement.BATCHPROPOSED_EVENT).toLowerCase(Locale.ROOT);

  public Proposal {
    batchId = batchId.toLowerCase(Locale.ROOT);
    payees = List.copyOf(payees);
    amounts = List.copyOf(amounts);
  }

  /**
   * The proposal a log carries, when it is a {@code BatchProposed} of {@code settlement} (the
   * deployment's contract: anyone can emit the same event from a contract of their own).
   */
  public static Optional<Proposal> of(Log log, String settlement) {
    if (!settlement.equalsIgnoreCase(log.getAddress())
        || log.getTopics().isEmpty()
        || !TOPIC.equals(log.getTopics().get(0).toLowerCase(Locale.ROOT))) {
      return Optional.empty();
    }
    Settlement.BatchProposedEventResponse e = Settlement.getBatchProposedEventFromLog(log);
    return Optional.of(
        new Proposal(
            hex(e.batchId),
            e.proposer.toLowerCase(Locale.ROOT),
            e.windowStart.longValueExact(),
            e.windowEnd.longValueExact(),
            e.subBatch.intValueExact(),
            e.subBatchCount.intValueExact(),
            hex(e.attributionRoot),
            e.total,
            e.challengeDeadline.longValueExact(),
            e.payees,
            e.amounts,
            log.getBlockNumber().longValueExact()));
  }

  /** Identifies this proposal of its batch id: a voided id may be proposed again, later. */
  public String key() {
    return batchId + "@" + block;
  }

  /** The batch, its window and its proposer, for the watcher's lines. */
  public String label() {
    return "proposal "
        + batchId
        + " window "
        + windowStart
        + "-"
        + windowEnd
        + " sub "
        + subBatch
        + "/"
        + subBatchCount
        + " (block "
        + block
        + ", challenge until block "
        + deadline
        + ")";
  }

  private static String hex(byte[] bytes) {
    return "0x" + HexFormat.of().formatHex(bytes);
  }
}
