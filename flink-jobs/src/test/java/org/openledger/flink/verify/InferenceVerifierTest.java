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
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.flink.domain.SettlementWindows;
import org.openledger.pipeline.PayoutBatchLeaf;

/**
 * The receipt of one inference: every accrual proven against the on-chain root, the accruals
 * summing to the fee, and any leaf that does not prove reported as a failure, not hidden.
 */
class InferenceVerifierTest {

  static final String OWNER = "0x00000000000000000000000000000000000000aa";
  static final String TREASURY = "0x00000000000000000000000000000000000000bb";

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final InferenceVerifier verifier =
      new InferenceVerifier(new PrintStream(printed, true, StandardCharsets.UTF_8));

  /** Inference 1 (fee 100): Alice 30, Bob 40, owner 20, protocol 10; inference 2 beside it. */
  private final List<PayoutLeaf> accruals =
      List.of(
          VerifierTest.leaf(VerifierTest.ALICE, 1, 30),
          VerifierTest.leaf(VerifierTest.BOB, 1, 40),
          new PayoutLeaf(
              OWNER, 1, PayoutLeaf.PayeeRole.MODEL_OWNER, 0, false, BigInteger.valueOf(20)),
          new PayoutLeaf(TREASURY, 1, PayoutLeaf.PayeeRole.PROTOCOL, 0, false, BigInteger.TEN));

  private final PayoutBatcher.Batch batch =
      PayoutBatcher.close(
              1337,
              new SettlementWindows.Window(0, 9),
              concat(accruals, VerifierTest.leaf(VerifierTest.ALICE, 2, 12)),
              Map.of(),
              BigInteger.ONE,
              10)
          .batches()
          .get(0);

  private final InferenceVerifier.Paid fee =
      new InferenceVerifier.Paid(BigInteger.valueOf(100), 3, "0xfee");

  private List<PayoutBatchLeaf> leaves() {
    return new ArrayList<>(
        batch.leaves().stream().map(l -> VerifierTest.avro(batch.batchId(), l)).toList());
  }

  private Map<String, ChainReader.Settled> onChain() {
    return Map.of(
        batch.batchId(),
        new ChainReader.Settled(
            batch.batchId(),
            batch.merkleRoot(),
            batch.total(),
            batch.payees(),
            batch.amounts(),
            42,
            "0xtx"));
  }

  private String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldProveEveryPayeeOfTheInferenceAndMatchTheFee() {
    int failures = verifier.verify(1, fee, accruals, Map.of(batch.batchId(), leaves()), onChain());
    assertThat(failures).as(printed()).isZero();
    assertThat(printed())
        .contains("70 contributors + 20 owner + 10 protocol = 100 wei = the fee")
        .contains("model owner " + OWNER + "  20 wei")
        .contains("proven against its root " + batch.merkleRoot())
        .contains("inference 1: 100 wei accrued, 100 wei settled and proven, 0 wei pending")
        .contains("every check passed")
        .doesNotContain("FAIL");
  }

  @Test
  void shouldFailALeafThatDoesNotReachTheOnChainRoot() {
    List<PayoutBatchLeaf> leaves = leaves();
    PayoutBatchLeaf alice2 =
        leaves.stream().filter(l -> l.getInferenceId() == 2).findFirst().orElseThrow();
    alice2.setAmount(alice2.getAmount().add(BigDecimal.ONE)); // the store altered a batch-mate
    int failures = verifier.verify(1, fee, accruals, Map.of(batch.batchId(), leaves), onChain());
    assertThat(failures).isEqualTo(4); // each of the inference's four proofs
    assertThat(printed()).contains("FAIL: proof does not reach").contains("4 checks FAILED");
  }

  @Test
  void shouldFailAccrualsThatAreNotTheFeeAndLeavesNoAccrualExplains() {
    int failures =
        verifier.verify(
            1, fee, accruals.subList(0, 3), Map.of(batch.batchId(), leaves()), onChain());
    assertThat(failures).isEqualTo(2); // 90 is not the fee; the treasury's leaf has no accrual
    assertThat(printed()).contains("= 90 wei FAIL: not the fee").contains("matches no accrual");
  }

  @Test
  void shouldReportPendingAndAMissingFee() {
    assertThat(verifier.verify(1, null, accruals, Map.of(), Map.of())).isEqualTo(2);
    assertThat(printed())
        .contains("no InferencePaid for this id")
        .contains("in no batch yet (pending)")
        .contains("0 wei settled and proven, 100 wei pending");
  }

  private static List<PayoutLeaf> concat(List<PayoutLeaf> a, PayoutLeaf b) {
    List<PayoutLeaf> out = new ArrayList<>(a);
    out.add(b);
    return out;
  }
}
