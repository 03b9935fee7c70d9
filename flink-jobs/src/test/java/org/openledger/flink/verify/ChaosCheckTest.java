package org.openledger.flink.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openledger.events.ChainPosition;
import org.openledger.pipeline.DeadLetter;
import org.openledger.pipeline.PayeeRole;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.pipeline.PayoutBatch;

class ChaosCheckTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ALICE = "0x00000000000000000000000000000000000a11ce";
  private static final String ESCROW = "0x00000000000000000000000000000000000e5c00";
  private static final String SETTLER = "0x0000000000000000000000000000000000005e77";

  private static JsonNode paid(long inference, long fee) {
    return JSON.createObjectNode()
        .<com.fasterxml.jackson.databind.node.ObjectNode>set(
            "topics",
            JSON.createArrayNode()
                .add(ChaosCheck.INFERENCE_PAID)
                .add(String.format("0x%064x", inference)))
        .put("data", String.format("0x%064x", fee));
  }

  private static PayoutAccrual accrual(long inference, long wei, boolean removed) {
    return PayoutAccrual.newBuilder()
        .setInferenceId(inference)
        .setPosition(
            ChainPosition.newBuilder()
                .setChainId(1337)
                .setBlockNumber(inference)
                .setBlockHash("0x" + "ab".repeat(32))
                .setBlockTimestamp(0)
                .setTxHash("0x" + "cd".repeat(32))
                .setLogIndex(0)
                .build())
        .setPayee(ALICE)
        .setRole(PayeeRole.CONTRIBUTOR)
        .setContributionId(1L)
        .setAmount(BigDecimal.valueOf(wei))
        .setParamsVersion(1)
        .setRemoved(removed)
        .build();
  }

  @Test
  void shouldHoldWhenEveryFeeIsAccruedOnceAndARetractionCancelsItsOriginal() {
    JsonNode logs = JSON.createArrayNode().add(paid(1, 100)).add(paid(2, 7));
    List<PayoutAccrual> accruals =
        List.of(
            accrual(1, 60, false),
            accrual(1, 40, false),
            accrual(2, 7, false),
            accrual(3, 5, false),
            accrual(3, 5, true));

    assertThat(ChaosCheck.feesAccrued(logs, accruals).held()).isTrue();
  }

  @Test
  void shouldFailNamingTheInferenceWhenAnAccrualIsDuplicated() {
    JsonNode logs = JSON.createArrayNode().add(paid(1, 100));
    List<PayoutAccrual> accruals = List.of(accrual(1, 100, false), accrual(1, 100, false));

    ChaosCheck.Result r = ChaosCheck.feesAccrued(logs, accruals);

    assertThat(r.held()).isFalse();
    assertThat(r.detail()).contains("differ: [1]");
  }

  @Test
  void shouldFailWhenABatchIsSettledTwiceOrNever() {
    PayoutBatch a =
        PayoutBatch.newBuilder()
            .setBatchId("0xa")
            .setChainId(1337)
            .setWindowStart(0)
            .setWindowEnd(19)
            .setSubBatch(0)
            .setSubBatchCount(1)
            .setPayees(List.of(ALICE))
            .setAmounts(List.of(BigDecimal.ONE))
            .setTotal(BigDecimal.ONE)
            .setMerkleRoot("0xr")
            .build();
    PayoutBatch b = PayoutBatch.newBuilder(a).setBatchId("0xb").build();
    ChainReader.Settled once =
        new ChainReader.Settled(
            "0xa", "0xr", BigInteger.ONE, List.of(ALICE), List.of(BigInteger.ONE), 30, "0xt");

    assertThat(ChaosCheck.settledOnce(List.of(once), List.of(a)).held()).isTrue();
    assertThat(ChaosCheck.settledOnce(List.of(once, once), List.of(a)).detail())
        .contains("0xa settled 2 times");
    assertThat(ChaosCheck.settledOnce(List.of(once), List.of(a, b)).detail())
        .contains("0xb emitted but not settled");
  }

  @Test
  void shouldCompareEachPayeesTransfersOutOfTheEscrowWithTheirAccruals() {
    JsonNode transfer = transfer(ESCROW, ALICE, 100);

    assertThat(
            ChaosCheck.paidAsAccrued(
                    JSON.createArrayNode().add(transfer),
                    ESCROW,
                    SETTLER,
                    List.of(accrual(1, 100, false)))
                .held())
        .isTrue();
    assertThat(
            ChaosCheck.paidAsAccrued(
                    JSON.createArrayNode(), ESCROW, SETTLER, List.of(accrual(1, 100, false)))
                .held())
        .isFalse();
  }

  @Test
  void shouldNotCountTheSettlersReturnedBondsAsPaymentsWhenBatchesFinalize() {
    // The settler bonds 7 on propose and gets 7 back on finalize: no payment, no accrual.
    JsonNode transfers =
        JSON.createArrayNode()
            .add(transfer(SETTLER, ESCROW, 7))
            .add(transfer(ESCROW, ALICE, 100))
            .add(transfer(ESCROW, SETTLER, 7));

    assertThat(
            ChaosCheck.paidAsAccrued(transfers, ESCROW, SETTLER, List.of(accrual(1, 100, false)))
                .held())
        .isTrue();
  }

  private static JsonNode transfer(String from, String to, long amount) {
    return JSON.createObjectNode()
        .<com.fasterxml.jackson.databind.node.ObjectNode>set(
            "topics",
            JSON.createArrayNode()
                .add(ChaosCheck.TRANSFER)
                .add("0x" + "0".repeat(24) + from.substring(2))
                .add("0x" + "0".repeat(24) + to.substring(2)))
        .put("data", String.format("0x%064x", amount));
  }

  @Test
  void shouldFindEachInjectedRecordOnADeadLetterWithAReason() {
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setStage("decoder")
            .setReason("undecodable raw record: bad magic")
            .setSourceTopic("chain.raw-logs")
            .setSourcePartition(0)
            .setSourceOffset(42L)
            .setValue(ByteBuffer.wrap(new byte[] {1}))
            .build();

    assertThat(
            ChaosCheck.malformedDeadLettered(List.of("chain.raw-logs 0 42"), List.of(letter))
                .held())
        .isTrue();
    assertThat(
            ChaosCheck.malformedDeadLettered(List.of("chain.raw-logs 0 43"), List.of(letter))
                .detail())
        .contains("missing: [chain.raw-logs 0 43]");
  }
}
