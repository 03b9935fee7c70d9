package org.openledger.bridge.analytics;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.openledger.events.BatchSettled;
import org.openledger.events.ChainPosition;
import org.openledger.events.ContributionFlagged;
import org.openledger.events.ContributionReviewed;
import org.openledger.events.CuratorSet;
import org.openledger.events.DataContributed;
import org.openledger.events.DatanetCreated;
import org.openledger.events.FeeEscrowed;
import org.openledger.events.FlagCleared;
import org.openledger.events.FlagDisputed;
import org.openledger.events.InferencePaid;
import org.openledger.events.ModelOwnerChanged;
import org.openledger.events.ModelRegistered;
import org.openledger.events.ParamsChanged;
import org.openledger.events.StakeSlashed;
import org.openledger.events.StakeWithdrawn;
import org.openledger.pipeline.AttributedContribution;
import org.openledger.pipeline.AttributionResult;
import org.openledger.pipeline.DeadLetter;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.pipeline.PayoutBatch;
import org.openledger.pipeline.PayoutBatchLeaf;
import org.openledger.pipeline.SlashProposal;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;

/**
 * Which topic loads into which ClickHouse table, and how one record becomes one row in the column
 * order of sql/010_chain_events.sql and sql/020_pipeline.sql (the loader appends the Kafka
 * partition, offset (the row's version) and timestamp).
 */
final class LoadedTables {

  /** One topic's table and its row writer. */
  record Loaded<R extends SpecificRecord>(
      Topic topic, String table, Class<R> type, BiConsumer<R, Tsv> row) {

    @SuppressWarnings("unchecked")
    void write(SpecificRecord record, Tsv tsv) {
      row.accept((R) record, tsv);
    }
  }

  private LoadedTables() {}

  private static final List<Loaded<?>> CHAIN_AND_PIPELINE =
      List.of(
          new Loaded<>(
              Topics.DATANET_CREATED,
              "datanet_created",
              DatanetCreated.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getDatanetId())
                      .text(e.getOwner())
                      .text(e.getName())
                      .wei(e.getMinStake())),
          new Loaded<>(
              Topics.CURATOR_SET,
              "curator_set",
              CuratorSet.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getDatanetId())
                      .text(e.getCurator())
                      .flag(e.getEnabled())),
          new Loaded<>(
              Topics.DATA_CONTRIBUTED,
              "data_contributed",
              DataContributed.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getContributionId())
                      .number(e.getDatanetId())
                      .text(e.getContributor())
                      .text(e.getContentHash())
                      .text(e.getContentUri())
                      .wei(e.getStake())),
          new Loaded<>(
              Topics.CONTRIBUTION_REVIEWED,
              "contribution_reviewed",
              ContributionReviewed.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getContributionId())
                      .number(e.getDatanetId())
                      .text(e.getCurator())
                      .flag(e.getAccepted())),
          new Loaded<>(
              Topics.STAKE_SLASHED,
              "stake_slashed",
              StakeSlashed.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getContributionId())
                      .number(e.getDatanetId())
                      .text(e.getContributor())
                      .wei(e.getAmount())
                      .number(e.getReasonCode())),
          new Loaded<>(
              Topics.STAKE_WITHDRAWN,
              "stake_withdrawn",
              StakeWithdrawn.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getContributionId())
                      .number(e.getDatanetId())
                      .text(e.getContributor())
                      .wei(e.getAmount())),
          new Loaded<>(
              Topics.CONTRIBUTION_FLAGGED,
              "contribution_flagged",
              ContributionFlagged.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getContributionId())
                      .number(e.getDatanetId())
                      .text(e.getContributor())
                      .text(e.getFlagger())
                      .number(e.getReasonCode())
                      .number(e.getExpiresAtBlock())
                      .text(e.getEvidence())),
          new Loaded<>(
              Topics.FLAG_DISPUTED,
              "flag_disputed",
              FlagDisputed.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getContributionId())
                      .number(e.getDatanetId())
                      .text(e.getContributor())),
          new Loaded<>(
              Topics.FLAG_CLEARED,
              "flag_cleared",
              FlagCleared.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getContributionId())
                      .number(e.getDatanetId())
                      .text(e.getContributor())),
          new Loaded<>(
              Topics.MODEL_REGISTERED,
              "model_registered",
              ModelRegistered.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getModelId())
                      .text(e.getOwner())
                      .numbers(e.getDatanetIds())
                      .text(e.getMethod().name())
                      .text(e.getName())
                      .text(e.getEncoderId())),
          new Loaded<>(
              Topics.MODEL_OWNER_CHANGED,
              "model_owner_changed",
              ModelOwnerChanged.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getModelId())
                      .text(e.getPreviousOwner())
                      .text(e.getNewOwner())),
          new Loaded<>(
              Topics.INFERENCE_PAID,
              "inference_paid",
              InferencePaid.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getInferenceId())
                      .number(e.getModelId())
                      .text(e.getPayer())
                      .wei(e.getFee())
                      .text(e.getQueryHash())
                      .text(e.getQueryUri())),
          new Loaded<>(
              Topics.PARAMS_CHANGED,
              "params_changed",
              ParamsChanged.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getVersion())
                      .number(e.getContributorBps())
                      .number(e.getOwnerBps())
                      .number(e.getProtocolBps())
                      .number(e.getTopK())
                      .number(e.getSimilarityThresholdPpm())
                      .number(e.getDuplicateBoundPpm())
                      .wei(e.getMinPayout())
                      .number(e.getSettlementWindowBlocks())
                      .number(e.getMaxPayeesPerBatch())
                      .text(e.getShareRule().name())
                      .number(e.getShareRuleParam())),
          new Loaded<>(
              Topics.FEE_ESCROWED,
              "fee_escrowed",
              FeeEscrowed.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t).wei(e.getAmount()).wei(e.getEscrowed())),
          new Loaded<>(
              Topics.BATCH_SETTLED,
              "batch_settled",
              BatchSettled.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .text(e.getBatchId())
                      .text(e.getAttributionRoot())
                      .wei(e.getTotal())
                      .texts(e.getPayees())
                      .weis(e.getAmounts())),
          new Loaded<>(
              Topics.ATTRIBUTION_RESULTS,
              "attribution_results",
              AttributionResult.class,
              (e, t) -> {
                List<AttributedContribution> c = e.getContributions();
                at(e.getPosition(), e.getRemoved(), t)
                    .number(e.getInferenceId())
                    .number(e.getModelId())
                    .text(e.getEncoderId())
                    .text(e.getEncoderVersion())
                    .number(e.getParamsVersion())
                    .flag(e.getUnattributed())
                    .numbers(c.stream().map(AttributedContribution::getContributionId).toList())
                    .texts(c.stream().map(AttributedContribution::getContributor).toList())
                    .numbers(c.stream().map(AttributedContribution::getRank).toList())
                    .numbers(c.stream().map(AttributedContribution::getScorePpm).toList())
                    .numbers(c.stream().map(AttributedContribution::getWeight).toList());
              }),
          new Loaded<>(
              Topics.SLASH_PROPOSALS,
              "slash_proposals",
              SlashProposal.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getContributionId())
                      .number(e.getDatanetId())
                      .text(e.getContributor())
                      .number(e.getDuplicateOf())
                      .number(e.getSimilarityPpm())
                      .number(e.getDuplicateBoundPpm())
                      .number(e.getParamsVersion())
                      .text(e.getEncoderId())
                      .number(e.getReasonCode())
                      .text(e.getDetail())),
          new Loaded<>(
              Topics.PAYOUT_ACCRUALS,
              "payout_accruals",
              PayoutAccrual.class,
              (e, t) ->
                  at(e.getPosition(), e.getRemoved(), t)
                      .number(e.getInferenceId())
                      .number(e.getModelId() == null ? 0 : e.getModelId())
                      .text(e.getPayee())
                      .text(e.getRole().name())
                      .number(e.getContributionId() == null ? 0 : e.getContributionId())
                      .flag(e.getUnattributed())
                      .wei(e.getAmount())
                      .number(e.getParamsVersion())),
          new Loaded<>(
              Topics.PAYOUT_BATCHES,
              "payout_batches",
              PayoutBatch.class,
              (e, t) ->
                  t.text(e.getBatchId())
                      .number(e.getChainId())
                      .number(e.getWindowStart())
                      .number(e.getWindowEnd())
                      .number(e.getSubBatch())
                      .number(e.getSubBatchCount())
                      .texts(e.getPayees())
                      .weis(e.getAmounts())
                      .wei(e.getTotal())
                      .text(e.getMerkleRoot())),
          new Loaded<>(
              Topics.PAYOUT_BATCH_LEAVES,
              "payout_batch_leaves",
              PayoutBatchLeaf.class,
              (e, t) ->
                  t.text(e.getBatchId())
                      .text(e.getPayee())
                      .number(e.getInferenceId())
                      .text(e.getRole().name())
                      .number(e.getContributionId())
                      .flag(e.getUnattributed())
                      .wei(e.getAmount())
                      .text(e.getLeafHash())),
          new Loaded<>(
              Topics.DEAD_LETTERS,
              "dead_letters",
              DeadLetter.class,
              (e, t) -> {
                ChainPosition p = e.getPosition();
                t.text(e.getStage())
                    .text(e.getReason())
                    .text(e.getSourceTopic())
                    .number(e.getSourcePartition() == null ? -1 : e.getSourcePartition())
                    .number(e.getSourceOffset() == null ? -1 : e.getSourceOffset())
                    .hex(e.getKey())
                    .hex(e.getValue())
                    .number(p == null ? 0 : p.getChainId())
                    .number(p == null ? 0 : p.getBlockNumber())
                    .text(p == null ? "" : p.getBlockHash())
                    .number(p == null ? -1 : p.getLogIndex());
              }));

  /** Every loaded topic: the above and the optimistic settlement's batch events. */
  static final List<Loaded<?>> ALL =
      Stream.of(CHAIN_AND_PIPELINE, BatchTables.ALL).flatMap(List::stream).toList();

  /** The columns every chain event's row starts with (sql/010_chain_events.sql). */
  static Tsv at(ChainPosition p, boolean removed, Tsv t) {
    return t.number(p.getChainId())
        .number(p.getBlockNumber())
        .text(p.getBlockHash())
        .time(p.getBlockTimestamp())
        .text(p.getTxHash())
        .number(p.getLogIndex())
        .flag(removed);
  }
}
