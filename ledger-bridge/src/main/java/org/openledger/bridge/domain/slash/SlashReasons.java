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

  /** Near-empty or non-text content (the attribution job's ContentQuality rule). */
  public static final int LOW_QUALITY = 2;

  private SlashReasons() {}

  /** The reason code of a proposal (0..255 on chain: anything else is taken as a duplicate). */
  public static int reasonCode(SlashProposal p) {
    int code = p.getReasonCode();
    return code >= 0 && code <= 255 ? code : DUPLICATE;
  }

  /** One line of {@code key=value} pairs: what the attribution job saw, for the voters. */
  public static String evidence(SlashProposal p) {
    if (p.getReasonCode() == LOW_QUALITY) {
      return "low-quality="
          + shorten(p.getDetail())
          + " params-version="
          + p.getParamsVersion()
          + " contributed-at="
          + p.getPosition().getBlockNumber()
          + ":"
          + p.getPosition().getLogIndex();
    }
    return "duplicate-of="
        + p.getDuplicateOf()
        + " similarity-ppm="
        + p.getSimilarityPpm()
        + " bound-ppm="
        + p.getDuplicateBoundPpm()
        + " params-version="
        + p.getParamsVersion()
        + " encoder="
        + shorten(p.getEncoderId())
        + " contributed-at="
        + p.getPosition().getBlockNumber()
        + ":"
        + p.getPosition().getLogIndex();
  }

  /** Keeps the evidence far under the contract's 2048-byte cap whatever the job wrote. */
  private static String shorten(String s) {
    return s.length() <= 256 ? s : s.substring(0, 256);
  }
}
