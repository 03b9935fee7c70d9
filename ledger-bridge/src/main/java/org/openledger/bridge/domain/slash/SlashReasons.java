package org.openledger.bridge.domain.slash;

import org.openledger.pipeline.SlashProposal;

/**
 * The reason codes a flag and a slash carry on chain ({@code reasonCode}, uint8) and the evidence
 * text a flag logs for the voters who decide it: derived from the proposal alone, so a resend
 * carries the same bytes.
 */
public final class SlashReasons {

  /** A near-copy of an earlier active contribution of the same Datanet. */
  public static final int DUPLICATE = 1;

  private SlashReasons() {}

  /** The reason code of a proposal. */
  public static int reasonCode(SlashProposal p) {
    return DUPLICATE;
  }

  /** One line of {@code key=value} pairs: what the attribution job saw, for the voters. */
  public static String evidence(SlashProposal p) {
    return "duplicate-of="
        + p.getDuplicateOf()
        + " similarity-ppm="
        + p.getSimilarityPpm()
        + " bound-ppm="
        + p.getDuplicateBoundPpm()
        + " params-version="
        + p.getParamsVersion()
        + " encoder="
        + p.getEncoderId()
        + " contributed-at="
        + p.getPosition().getBlockNumber()
        + ":"
        + p.getPosition().getLogIndex();
  }
}
