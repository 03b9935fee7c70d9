package org.openledger.flink.sidecar;

import java.util.Optional;

/**
 * The sidecar's answer to one indexed contribution: its best earlier active match in the same
 * Datanet, if any. The caller compares the score with the duplicate bound (first come owns it).
 */
public record IndexMatch(long contributionId, Optional<ScoredContribution> bestMatch) {}
