package org.openledger.flink.attribution;

/**
 * A contribution flagged as a duplicate of an earlier active one in its Datanet ({@code reasonCode}
 * 1), or as low-quality content (2, {@code detail} says which rule; no match, similarity or bound):
 * it earns nothing and its stake should be slashed. Becomes a {@code SlashProposal}; withdrawn on
 * reorg.
 */
public record Duplicate(
    long chainId,
    long block,
    String blockHash,
    long blockTimestamp,
    String txHash,
    int logIndex,
    boolean removed,
    long contributionId,
    long datanetId,
    String contributor,
    long duplicateOf,
    long similarityPpm,
    long duplicateBoundPpm,
    long paramsVersion,
    String encoderId,
    int reasonCode,
    String detail) {

  /** SlashProposal.reasonCode of a duplicate, and the on-chain flag's. */
  public static final int DUPLICATE = 1;

  /** SlashProposal.reasonCode of low-quality content (ContentQuality). */
  public static final int LOW_QUALITY = 2;

  public Duplicate retracted() {
    return new Duplicate(
        chainId,
        block,
        blockHash,
        blockTimestamp,
        txHash,
        logIndex,
        true,
        contributionId,
        datanetId,
        contributor,
        duplicateOf,
        similarityPpm,
        duplicateBoundPpm,
        paramsVersion,
        encoderId,
        reasonCode,
        detail);
  }
}
