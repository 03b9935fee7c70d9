package org.openledger.flink.sidecar;

/** A contribution and its similarity to a query (or to a new contribution, for duplicates). */
public record ScoredContribution(long contributionId, float score) {}
