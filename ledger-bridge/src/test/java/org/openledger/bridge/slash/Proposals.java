package org.openledger.bridge.slash;

import org.openledger.events.ChainPosition;
import org.openledger.pipeline.SlashProposal;

/** Slash proposals as the attribution job writes them, for the submitter's tests. */
final class Proposals {

  private Proposals() {}

  static SlashProposal duplicate(long contributionId, long duplicateOf, boolean removed) {
    return SlashProposal.newBuilder()
        .setPosition(
            ChainPosition.newBuilder()
                .setChainId(1337)
                .setBlockNumber(10 + contributionId)
                .setBlockHash(String.format("0x%064x", 10 + contributionId))
                .setBlockTimestamp(1_700_000_000L)
                .setTxHash(String.format("0x%064x", contributionId))
                .setLogIndex(0)
                .build())
        .setRemoved(removed)
        .setContributionId(contributionId)
        .setDatanetId(1)
        .setContributor("0x" + "ab".repeat(20))
        .setDuplicateOf(duplicateOf)
        .setSimilarityPpm(990_000)
        .setDuplicateBoundPpm(750_000)
        .setParamsVersion(1)
        .setEncoderId("hashing-ngram-v2")
        .build();
  }
}
