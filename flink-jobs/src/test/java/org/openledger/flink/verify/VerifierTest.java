package org.openledger.flink.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openledger.flink.domain.Abi;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.flink.domain.SettlementWindows;
import org.openledger.pipeline.PayeeRole;
import org.openledger.pipeline.PayoutBatchLeaf;

/** The verifier proves a payee's accruals against a root, and names any tampering. */
class VerifierTest {

  static final String ALICE = "0x000000000000000000000000000000000000a11c";
  static final String BOB = "0x0000000000000000000000000000000000000b0b";

  static PayoutLeaf leaf(String payee, long inference, long amount) {
    return new PayoutLeaf(
        payee,
        inference,
        PayoutLeaf.PayeeRole.CONTRIBUTOR,
        inference,
        false,
        BigInteger.valueOf(amount));
  }

  static PayoutBatchLeaf avro(String batchId, PayoutLeaf l) {
    return PayoutBatchLeaf.newBuilder()
        .setBatchId(batchId)
        .setPayee(l.payee())
        .setInferenceId(l.inferenceId())
        .setRole(PayeeRole.valueOf(l.role().name()))
        .setContributionId(l.contributionId())
        .setUnattributed(l.unattributed())
        .setAmount(new BigDecimal(l.amount()))
        .setLeafHash(Abi.hex(l.hash()))
        .build();
  }

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final VerifyApp.Verifier verifier =
      new VerifyApp.Verifier(new PrintStream(printed, true, StandardCharsets.UTF_8));

  private PayoutBatcher.Batch batch() {
    List<PayoutLeaf> leaves = List.of(leaf(ALICE, 1, 30), leaf(BOB, 1, 70), leaf(ALICE, 2, 12));
    return PayoutBatcher.close(
            1337, new SettlementWindows.Window(0, 9), leaves, Map.of(), BigInteger.ONE, 10)
        .batches()
        .get(0);
  }

  private static ChainReader.Settled settled(PayoutBatcher.Batch b, List<BigInteger> amounts) {
    return new ChainReader.Settled(
        b.batchId(), b.merkleRoot(), b.total(), b.payees(), amounts, 42, "0xtx");
  }

  @Test
  void shouldProveEveryAccrualOfAPayeeAgainstTheSettledRoot() {
    PayoutBatcher.Batch b = batch();
    List<PayoutBatchLeaf> leaves = b.leaves().stream().map(l -> avro(b.batchId(), l)).toList();
    int failures =
        verifier.verify(
            ALICE, null, Map.of(b.batchId(), leaves), Map.of(b.batchId(), settled(b, b.amounts())));
    assertThat(failures).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("2 of 2 accruals proven")
        .contains("42 wei settled and proven");
  }

  @Test
  void shouldFailWhenALeafOrTheAmountPaidWasTamperedWith() {
    PayoutBatcher.Batch b = batch();
    List<PayoutBatchLeaf> leaves =
        new ArrayList<>(b.leaves().stream().map(l -> avro(b.batchId(), l)).toList());
    PayoutBatchLeaf first = leaves.get(0);
    first.setAmount(first.getAmount().add(BigDecimal.ONE)); // the pipeline claims one more wei
    int failures =
        verifier.verify(
            ALICE, null, Map.of(b.batchId(), leaves), Map.of(b.batchId(), settled(b, b.amounts())));
    assertThat(failures).isPositive();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("FAIL");
  }

  @Test
  void shouldReportAnUnsettledBatchAsPending() {
    PayoutBatcher.Batch b = batch();
    List<PayoutBatchLeaf> leaves = b.leaves().stream().map(l -> avro(b.batchId(), l)).toList();
    assertThat(verifier.verify(BOB, null, Map.of(b.batchId(), leaves), Map.of())).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("70 wei pending");
  }
}
