package org.openledger.schemas;

import java.util.List;
import org.openledger.events.BatchChallenged;
import org.openledger.events.BatchProposed;
import org.openledger.events.BatchResolved;
import org.openledger.events.BatchSettled;
import org.openledger.events.ChainEvent;
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
import org.openledger.events.RawChainLog;
import org.openledger.events.StakeSlashed;
import org.openledger.events.StakeWithdrawn;
import org.openledger.pipeline.AttributionResult;
import org.openledger.pipeline.DeadLetter;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.pipeline.PayoutBatch;
import org.openledger.pipeline.PayoutBatchLeaf;
import org.openledger.pipeline.SlashProposal;

/**
 * Every topic of the pipeline. Chain topics keep one partition so the log's order is the topic's
 * order; keyed topics may grow because their consumers only need order per key.
 */
public final class Topics {

  private static final String EVENT_ID = "event id: <blockHash>:<logIndex>";

  public static final Topic RAW_LOGS =
      new Topic("chain.raw-logs", EVENT_ID, 1, RawChainLog.getClassSchema());
  public static final Topic DATANET_CREATED =
      new Topic("chain.datanet-created", EVENT_ID, 1, DatanetCreated.getClassSchema());
  public static final Topic CURATOR_SET =
      new Topic("chain.curator-set", EVENT_ID, 1, CuratorSet.getClassSchema());
  public static final Topic DATA_CONTRIBUTED =
      new Topic("chain.data-contributed", EVENT_ID, 1, DataContributed.getClassSchema());
  public static final Topic CONTRIBUTION_REVIEWED =
      new Topic("chain.contribution-reviewed", EVENT_ID, 1, ContributionReviewed.getClassSchema());
  public static final Topic STAKE_SLASHED =
      new Topic("chain.stake-slashed", EVENT_ID, 1, StakeSlashed.getClassSchema());
  public static final Topic STAKE_WITHDRAWN =
      new Topic("chain.stake-withdrawn", EVENT_ID, 1, StakeWithdrawn.getClassSchema());
  public static final Topic CONTRIBUTION_FLAGGED =
      new Topic("chain.contribution-flagged", EVENT_ID, 1, ContributionFlagged.getClassSchema());
  public static final Topic FLAG_DISPUTED =
      new Topic("chain.flag-disputed", EVENT_ID, 1, FlagDisputed.getClassSchema());
  public static final Topic FLAG_CLEARED =
      new Topic("chain.flag-cleared", EVENT_ID, 1, FlagCleared.getClassSchema());
  public static final Topic MODEL_REGISTERED =
      new Topic("chain.model-registered", EVENT_ID, 1, ModelRegistered.getClassSchema());
  public static final Topic MODEL_OWNER_CHANGED =
      new Topic("chain.model-owner-changed", EVENT_ID, 1, ModelOwnerChanged.getClassSchema());
  public static final Topic INFERENCE_PAID =
      new Topic("chain.inference-paid", EVENT_ID, 1, InferencePaid.getClassSchema());
  public static final Topic PARAMS_CHANGED =
      new Topic("chain.params-changed", EVENT_ID, 1, ParamsChanged.getClassSchema());
  public static final Topic FEE_ESCROWED =
      new Topic("chain.fee-escrowed", EVENT_ID, 1, FeeEscrowed.getClassSchema());
  public static final Topic BATCH_PROPOSED =
      new Topic("chain.batch-proposed", EVENT_ID, 1, BatchProposed.getClassSchema());
  public static final Topic BATCH_CHALLENGED =
      new Topic("chain.batch-challenged", EVENT_ID, 1, BatchChallenged.getClassSchema());
  public static final Topic BATCH_RESOLVED =
      new Topic("chain.batch-resolved", EVENT_ID, 1, BatchResolved.getClassSchema());
  public static final Topic BATCH_SETTLED =
      new Topic("chain.batch-settled", EVENT_ID, 1, BatchSettled.getClassSchema());
  public static final Topic CHAIN_EVENTS =
      new Topic(
          "chain.events", EVENT_ID + " (seals: <blockHash>:seal)", 1, ChainEvent.getClassSchema());
  public static final Topic ATTRIBUTION_RESULTS =
      new Topic("attribution.results", "inference id", 1, AttributionResult.getClassSchema());
  public static final Topic SLASH_PROPOSALS =
      new Topic(
          "attribution.slash-proposals", "contribution id", 1, SlashProposal.getClassSchema());
  public static final Topic PAYOUT_ACCRUALS =
      new Topic("payout.accruals", "payee address", 1, PayoutAccrual.getClassSchema());
  public static final Topic PAYOUT_BATCHES =
      new Topic("payout.batches", "batch id", 1, PayoutBatch.getClassSchema());
  public static final Topic PAYOUT_BATCH_LEAVES =
      new Topic("payout.batch-leaves", "batch id", 1, PayoutBatchLeaf.getClassSchema());
  public static final Topic FOLLOWER_CURSOR =
      new Topic(
          "bridge.follower-cursor",
          "follower id: follower-<chainId>",
          1,
          org.openledger.pipeline.FollowerCursor.getClassSchema());
  public static final Topic DEAD_LETTERS =
      new Topic("pipeline.dead-letters", "stage", 1, DeadLetter.getClassSchema());

  /** Every topic, in the order data flows. */
  public static final List<Topic> ALL =
      List.of(
          RAW_LOGS,
          DATANET_CREATED,
          CURATOR_SET,
          DATA_CONTRIBUTED,
          CONTRIBUTION_REVIEWED,
          STAKE_SLASHED,
          STAKE_WITHDRAWN,
          CONTRIBUTION_FLAGGED,
          FLAG_DISPUTED,
          FLAG_CLEARED,
          MODEL_REGISTERED,
          MODEL_OWNER_CHANGED,
          INFERENCE_PAID,
          PARAMS_CHANGED,
          FEE_ESCROWED,
          BATCH_PROPOSED,
          BATCH_CHALLENGED,
          BATCH_RESOLVED,
          BATCH_SETTLED,
          CHAIN_EVENTS,
          ATTRIBUTION_RESULTS,
          SLASH_PROPOSALS,
          PAYOUT_ACCRUALS,
          PAYOUT_BATCHES,
          PAYOUT_BATCH_LEAVES,
          FOLLOWER_CURSOR,
          DEAD_LETTERS);

  private Topics() {}
}
