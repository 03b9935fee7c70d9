package org.openledger.flink.attribution;

/**
 * A contribution flagged as a duplicate of an earlier active one in its Datanet: it earns nothing
 * and its stake should be slashed. Becomes a {@code SlashProposal}; withdrawn on reorg.
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
    String encoderId) {

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
        encoderId);
  }
}
