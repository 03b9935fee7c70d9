package org.openledger.bridge.analytics;

import java.util.List;
import org.openledger.bridge.analytics.LoadedTables.Loaded;
import org.openledger.events.BatchChallenged;
import org.openledger.events.BatchProposed;
import org.openledger.events.BatchResolved;
import org.openledger.schemas.Topics;

/**
 * The optimistic settlement's batch events (proposed, challenged, resolved) and their tables in
 * sql/010_chain_events.sql, which the view {@code batch_states} reads; kept apart so {@link
 * LoadedTables} stays readable. BatchSettled is loaded there, as before.
 */
final class BatchTables {

  private BatchTables() {}

  static final List<Loaded<?>> ALL =
      List.of(
          new Loaded<>(
              Topics.BATCH_PROPOSED,
              "batch_proposed",
              BatchProposed.class,
              (e, t) ->
                  LoadedTables.at(e.getPosition(), e.getRemoved(), t)
                      .text(e.getBatchId())
                      .text(e.getProposer())
                      .number(e.getWindowStart())
                      .number(e.getWindowEnd())
                      .number(e.getSubBatch())
                      .number(e.getSubBatchCount())
                      .text(e.getAttributionRoot())
                      .wei(e.getTotal())
                      .number(e.getChallengeDeadline())
                      .texts(e.getPayees())
                      .weis(e.getAmounts())),
          new Loaded<>(
              Topics.BATCH_CHALLENGED,
              "batch_challenged",
              BatchChallenged.class,
              (e, t) ->
                  LoadedTables.at(e.getPosition(), e.getRemoved(), t)
                      .text(e.getBatchId())
                      .text(e.getChallenger())
                      .wei(e.getBond())),
          new Loaded<>(
              Topics.BATCH_RESOLVED,
              "batch_resolved",
              BatchResolved.class,
              (e, t) ->
                  LoadedTables.at(e.getPosition(), e.getRemoved(), t)
                      .text(e.getBatchId())
                      .flag(e.getUpheld())
                      .text(e.getBondWinner())
                      .wei(e.getBondPaid())));
}
