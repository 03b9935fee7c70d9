package org.openledger.flink.kafka;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.openledger.events.ChainPosition;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.Duplicate;
import org.openledger.flink.attribution.Rejection;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.flink.payment.Accrual;
import org.openledger.flink.payment.Position;
import org.openledger.pipeline.AttributedContribution;
import org.openledger.pipeline.AttributionResult;
import org.openledger.pipeline.DeadLetter;
import org.openledger.pipeline.PayeeRole;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.pipeline.PayoutBatch;
import org.openledger.pipeline.PayoutBatchLeaf;
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
        .setReasonCode(d.reasonCode())
        .setDetail(d.detail())
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

  public static PayoutAccrual accrual(Accrual a) {
    PayoutLeaf l = a.leaf();
    Position p = a.position();
    return PayoutAccrual.newBuilder()
        .setInferenceId(l.inferenceId())
        .setPosition(
            position(
                p.chainId(),
                p.block(),
                p.blockHash(),
                p.blockTimestamp(),
                p.txHash(),
                p.logIndex()))
        .setRemoved(a.removed())
        .setModelId(a.modelId())
        .setPayee(l.payee())
        .setRole(PayeeRole.valueOf(l.role().name()))
        .setContributionId(l.role() == PayoutLeaf.PayeeRole.CONTRIBUTOR ? l.contributionId() : null)
        .setAmount(wei(l.amount()))
        .setUnattributed(l.unattributed())
        .setParamsVersion(a.paramsVersion())
        .build();
  }

  public static PayoutBatch batch(PayoutBatcher.Batch b) {
    return PayoutBatch.newBuilder()
        .setBatchId(b.batchId())
        .setChainId(b.chainId())
        .setWindowStart(b.window().start())
        .setWindowEnd(b.window().end())
        .setSubBatch(b.subBatch())
        .setSubBatchCount(b.subBatchCount())
        .setPayees(b.payees())
        .setAmounts(b.amounts().stream().map(AvroRecords::wei).toList())
        .setTotal(wei(b.total()))
        .setMerkleRoot(b.merkleRoot())
        .build();
  }

  /** One batch's leaf, in the order the batch lists them (payees sorted, then accrual order). */
  public static PayoutBatchLeaf leaf(String batchId, PayoutLeaf l, String leafHash) {
    return PayoutBatchLeaf.newBuilder()
        .setBatchId(batchId)
        .setPayee(l.payee())
        .setInferenceId(l.inferenceId())
        .setRole(PayeeRole.valueOf(l.role().name()))
        .setContributionId(l.contributionId())
        .setUnattributed(l.unattributed())
        .setAmount(wei(l.amount()))
        .setLeafHash(leafHash)
        .build();
  }

  private static BigDecimal wei(BigInteger amount) {
    return new BigDecimal(amount);
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
