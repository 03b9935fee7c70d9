package org.openledger.flink.operators;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.openledger.events.AttributionMethod;
import org.openledger.events.BlockSealed;
import org.openledger.events.ChainEvent;
import org.openledger.events.ChainPosition;
import org.openledger.events.ContributionReviewed;
import org.openledger.events.DataContributed;
import org.openledger.events.InferencePaid;
import org.openledger.events.ModelRegistered;
import org.openledger.events.ParamsChanged;
import org.openledger.events.StakeSlashed;
import org.openledger.events.StakeWithdrawn;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.attribution.ChainInputs;
import org.openledger.flink.domain.Keccak;
import org.openledger.flink.domain.ShareRule;

/**
 * Builds the operator's inputs as the job does: typed {@code chain.events} records mapped by {@link
 * ChainInputs}, with content set as the fetcher would. A block's hash carries a fork number, so the
 * same block number on another branch has another hash.
 */
final class AttributionInputs {

  static final long CHAIN = 1337;
  static final long DATANET = 1;

  private AttributionInputs() {}

  static String contributor(long contributionId) {
    return String.format("0x%040x", 0xc000 + contributionId);
  }

  static String blockHash(long block, int fork) {
    return String.format("0x%060x%04x", block, fork);
  }

  static ChainPosition at(long block, int logIndex) {
    return at(CHAIN, block, logIndex, 0);
  }

  /** A position on another branch: same block number, another hash. */
  static ChainPosition at(long block, int logIndex, int fork) {
    return at(CHAIN, block, logIndex, fork);
  }

  static ChainPosition at(long chain, long block, int logIndex, int fork) {
    return ChainPosition.newBuilder()
        .setChainId(chain)
        .setBlockNumber(block)
        .setBlockHash(blockHash(block, fork))
        .setBlockTimestamp(1_700_000_000L + block)
        .setTxHash(String.format("0x%056x%04x%04x", block, fork, logIndex & 0xffff))
        .setLogIndex(logIndex)
        .build();
  }

  private static ChainInput of(Object event) {
    return ChainInputs.of(ChainEvent.newBuilder().setEvent(event).build());
  }

  static ChainInput seal(long block) {
    return seal(at(block, -1));
  }

  static ChainInput seal(ChainPosition p) {
    return of(BlockSealed.newBuilder().setPosition(p).build());
  }

  static ChainInput params(ChainPosition p, long version, int k, long thresholdPpm, long dupPpm) {
    return params(p, version, k, thresholdPpm, dupPpm, ShareRule.LINEAR);
  }

  /** Params with a share rule (what the decoder writes: its symbol and parameter). */
  static ChainInput params(
      ChainPosition p, long version, int k, long thresholdPpm, long dupPpm, ShareRule rule) {
    return params(p, version, k, thresholdPpm, dupPpm, rule.kind().name(), rule.param());
  }

  /** Params naming any rule symbol and parameter, even one no contract emits. */
  static ChainInput params(
      ChainPosition p,
      long version,
      int k,
      long thresholdPpm,
      long dupPpm,
      String rule,
      int ruleParam) {
    return of(
        ParamsChanged.newBuilder()
            .setPosition(p)
            .setVersion(version)
            .setContributorBps(7000)
            .setOwnerBps(2000)
            .setProtocolBps(1000)
            .setTopK(k)
            .setSimilarityThresholdPpm(thresholdPpm)
            .setDuplicateBoundPpm(dupPpm)
            .setMinPayout(BigDecimal.ONE)
            .setSettlementWindowBlocks(10)
            .setMaxPayeesPerBatch(100)
            .setShareRule(org.openledger.events.ShareRule.valueOf(rule))
            .setShareRuleParam(ruleParam)
            .build());
  }

  static ChainInput model(ChainPosition p, long modelId, long... datanets) {
    return model(p, modelId, AttributionMethod.EMBEDDING, datanets);
  }

  /** A model registered with an attribution method (EMBEDDING, PRECOMPUTED or SPAN). */
  static ChainInput model(
      ChainPosition p, long modelId, AttributionMethod method, long... datanets) {
    return model(p, modelId, method, "", datanets);
  }

  /** A model registered with a method and an encoder ("" for the default). */
  static ChainInput model(
      ChainPosition p, long modelId, AttributionMethod method, String encoder, long... datanets) {
    return of(
        ModelRegistered.newBuilder()
            .setPosition(p)
            .setModelId(modelId)
            .setOwner("0x00000000000000000000000000000000000000b1")
            .setDatanetIds(Arrays.stream(datanets).boxed().toList())
            .setMethod(method)
            .setName("model " + modelId)
            .setEncoderId(encoder)
            .build());
  }

  /** A contribution to {@link #DATANET} whose content was fetched and verified. */
  static ChainInput contribution(ChainPosition p, long id, String text) {
    return contribution(p, id, DATANET, text);
  }

  static ChainInput contribution(ChainPosition p, long id, long datanet, String text) {
    return unfetchedContribution(p, id, datanet, text).withContent(text);
  }

  /** A contribution whose content the fetcher could not use. */
  static ChainInput failedContribution(ChainPosition p, long id, String reason) {
    return unfetchedContribution(p, id, DATANET, "").withFailure(reason);
  }

  private static ChainInput unfetchedContribution(
      ChainPosition p, long id, long datanet, String text) {
    return of(
        DataContributed.newBuilder()
            .setPosition(p)
            .setContributionId(id)
            .setDatanetId(datanet)
            .setContributor(contributor(id))
            .setContentHash(Keccak.hex(text.getBytes(StandardCharsets.UTF_8)))
            .setContentUri("file:///content/" + id + ".txt")
            .setStake(BigDecimal.TEN)
            .build());
  }

  static ChainInput slash(ChainPosition p, long contributionId) {
    return of(
        StakeSlashed.newBuilder()
            .setPosition(p)
            .setContributionId(contributionId)
            .setDatanetId(DATANET)
            .setContributor(contributor(contributionId))
            .setAmount(BigDecimal.ONE)
            .setReasonCode(1)
            .build());
  }

  static ChainInput withdraw(ChainPosition p, long contributionId) {
    return of(
        StakeWithdrawn.newBuilder()
            .setPosition(p)
            .setContributionId(contributionId)
            .setDatanetId(DATANET)
            .setContributor(contributor(contributionId))
            .setAmount(BigDecimal.TEN)
            .build());
  }

  static ChainInput review(ChainPosition p, long contributionId, boolean accepted) {
    return of(
        ContributionReviewed.newBuilder()
            .setPosition(p)
            .setContributionId(contributionId)
            .setDatanetId(DATANET)
            .setCurator("0x00000000000000000000000000000000000000a1")
            .setAccepted(accepted)
            .build());
  }

  /** An inference whose query was fetched and verified. */
  static ChainInput inference(ChainPosition p, long id, long modelId, String query) {
    return unfetchedInference(p, id, modelId, query).withContent(query);
  }

  /** An inference whose query the fetcher could not use. */
  static ChainInput failedInference(ChainPosition p, long id, long modelId, String reason) {
    return unfetchedInference(p, id, modelId, "").withFailure(reason);
  }

  private static ChainInput unfetchedInference(
      ChainPosition p, long id, long modelId, String query) {
    return of(
        InferencePaid.newBuilder()
            .setPosition(p)
            .setInferenceId(id)
            .setModelId(modelId)
            .setPayer("0x00000000000000000000000000000000000000d1")
            .setFee(new BigDecimal(1_000_000))
            .setQueryHash(Keccak.hex(query.getBytes(StandardCharsets.UTF_8)))
            .setQueryUri("file:///queries/" + id + ".txt")
            .build());
  }

  /** The compensating record a reorg produces for {@code in}: removed, no content. */
  static ChainInput removed(ChainInput in) {
    return new ChainInput(
        in.kind(),
        true,
        in.chainId(),
        in.block(),
        in.blockHash(),
        in.logIndex(),
        in.txHash(),
        in.blockTimestamp(),
        in.eventId(),
        in.id(),
        in.datanetId(),
        in.address(),
        in.datanetIds(),
        in.accepted(),
        in.hash(),
        in.uri(),
        in.topK(),
        in.thresholdPpm(),
        in.duplicateBoundPpm(),
        in.shareRule(),
        in.method(),
        in.encoder(),
        null,
        null);
  }
}
