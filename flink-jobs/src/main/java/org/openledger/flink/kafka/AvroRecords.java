package org.openledger.flink.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.openledger.events.ChainPosition;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.Duplicate;
import org.openledger.flink.attribution.Rejection;
import org.openledger.pipeline.AttributedContribution;
import org.openledger.pipeline.AttributionResult;
import org.openledger.pipeline.DeadLetter;
import org.openledger.pipeline.SlashProposal;

/** The job's internal records as the Avro records its topics carry. */
public final class AvroRecords {

  private AvroRecords() {}

  public static AttributionResult result(Attribution a) {
    List<AttributedContribution> contributions = new ArrayList<>();
    for (int i = 0; i < a.contributionIds().length; i++) {
      contributions.add(
          AttributedContribution.newBuilder()
              .setContributionId(a.contributionIds()[i])
              .setContributor(a.contributors()[i])
              .setRank(a.ranks()[i])
              .setScorePpm(a.scorePpms()[i])
              .setWeight(a.weights()[i])
              .build());
    }
    return AttributionResult.newBuilder()
        .setInferenceId(a.inferenceId())
        .setPosition(
            position(
                a.chainId(),
                a.block(),
                a.blockHash(),
                a.blockTimestamp(),
                a.txHash(),
                a.logIndex()))
        .setRemoved(a.removed())
        .setModelId(a.modelId())
        .setEncoderId(a.encoderId())
        .setEncoderVersion(a.encoderVersion())
        .setParamsVersion(a.paramsVersion())
        .setContributions(contributions)
        .setUnattributed(a.unattributed())
        .build();
  }

  public static SlashProposal slashProposal(Duplicate d) {
    return SlashProposal.newBuilder()
        .setPosition(
            position(
                d.chainId(),
                d.block(),
                d.blockHash(),
                d.blockTimestamp(),
                d.txHash(),
                d.logIndex()))
        .setRemoved(d.removed())
        .setContributionId(d.contributionId())
        .setDatanetId(d.datanetId())
        .setContributor(d.contributor())
        .setDuplicateOf(d.duplicateOf())
        .setSimilarityPpm(d.similarityPpm())
        .setDuplicateBoundPpm(d.duplicateBoundPpm())
        .setParamsVersion(d.paramsVersion())
        .setEncoderId(d.encoderId())
        .build();
  }

  public static DeadLetter deadLetter(Rejection r) {
    return DeadLetter.newBuilder()
        .setStage(r.stage())
        .setReason(r.reason())
        .setKey(ByteBuffer.wrap(r.eventId().getBytes(StandardCharsets.UTF_8)))
        .setPosition(
            position(
                r.chainId(),
                r.block(),
                r.blockHash(),
                r.blockTimestamp(),
                r.txHash(),
                r.logIndex()))
        .build();
  }

  private static ChainPosition position(
      long chainId, long block, String hash, long timestamp, String tx, int logIndex) {
    return ChainPosition.newBuilder()
        .setChainId(chainId)
        .setBlockNumber(block)
        .setBlockHash(hash)
        .setBlockTimestamp(timestamp)
        .setTxHash(tx)
        .setLogIndex(logIndex)
        .build();
  }
}
