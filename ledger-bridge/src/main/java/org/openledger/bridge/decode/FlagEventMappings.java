package org.openledger.bridge.decode;

import java.util.List;
import org.openledger.bridge.contracts.DatanetRegistry;
import org.openledger.events.ContributionFlagged;
import org.openledger.events.FlagCleared;
import org.openledger.events.FlagDisputed;
import org.openledger.schemas.Topics;

/**
 * The DatanetRegistry's flag events (flag, dispute, clear: docs/SECURITY.md, "Slashing on chain"),
 * mapped like every other consumed event; kept apart so {@link EventMappings} stays readable.
 */
final class FlagEventMappings {

  /**
   * The contract's expiry is the flag's block plus at most MAX_FLAG_EXPIRY_BLOCKS (10^6): a uint64
   * beyond a long did not come from it.
   */
  private static final long LATEST_EXPIRY = Long.MAX_VALUE;

  private FlagEventMappings() {}

  static void add(EventMappings.Specs registry) {
    registry.add(
        DatanetRegistry.CONTRIBUTIONFLAGGED_EVENT,
        "DatanetRegistry",
        Topics.CONTRIBUTION_FLAGGED,
        List.of(
            "contributionId",
            "datanetId",
            "contributor",
            "flagger",
            "reasonCode",
            "expiresAtBlock",
            "evidence"),
        (r, v) ->
            ContributionFlagged.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setContributionId(v.id("contributionId"))
                .setDatanetId(v.id("datanetId"))
                .setContributor(v.party("contributor"))
                .setFlagger(v.party("flagger"))
                .setReasonCode(v.intIn("reasonCode", 0, 255))
                .setExpiresAtBlock(v.longIn("expiresAtBlock", 0, LATEST_EXPIRY))
                .setEvidence(v.string("evidence"))
                .build());
    registry.add(
        DatanetRegistry.FLAGDISPUTED_EVENT,
        "DatanetRegistry",
        Topics.FLAG_DISPUTED,
        List.of("contributionId", "datanetId", "contributor"),
        (r, v) ->
            FlagDisputed.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setContributionId(v.id("contributionId"))
                .setDatanetId(v.id("datanetId"))
                .setContributor(v.party("contributor"))
                .build());
    registry.add(
        DatanetRegistry.FLAGCLEARED_EVENT,
        "DatanetRegistry",
        Topics.FLAG_CLEARED,
        List.of("contributionId", "datanetId", "contributor"),
        (r, v) ->
            FlagCleared.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setContributionId(v.id("contributionId"))
                .setDatanetId(v.id("datanetId"))
                .setContributor(v.party("contributor"))
                .build());
  }
}
