package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;

/**
 * The settlement cap per window on a fresh deployment each: a batch pays only a closed window,
 * under the id derived from it, windows in increasing order, a window's sub-batches once each, and
 * never more in all than the fees paid up to the window's last block. Blocks come from the shared
 * dev node's head, so other writers to the node only widen the windows.
 */
class SettlementWindowIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);
  private static final byte[] ROOT = Hash.sha3("root".getBytes(StandardCharsets.UTF_8));

  private LocalChain local;
  private Credentials payer;
  private long modelId;
  private Settlement asSettler;

  @BeforeEach
  void deploy() throws Exception {
    local = new LocalChain();
    payer = local.user(0);
    local.driver.fund(local.deployer, payer.getAddress(), OPEN.multiply(BigInteger.valueOf(100)));
    long datanet = local.driver.createDatanet(payer, "windows", OPEN);
    modelId = local.driver.registerModel(payer, List.of(datanet), 0, "windows-model");
    asSettler = local.driver.settlement(local.settler);
  }

  @AfterEach
  void close() {
    local.close();
  }

  @Test
  void shouldRefuseABatchThatPaysMoreThanItsWindowsFees() throws Exception {
    long start = local.head() + 1;
    long fee1 = local.pay(payer, modelId, wei(1_000_000));
    long end = local.head();
    long fee2 = local.pay(payer, modelId, wei(5_000_000)); // a later window's fee
    assertThat(fee1).isBetween(start, end);
    assertThat(fee2).isGreaterThan(end);
    assertThat(asSettler.escrowed().send()).isEqualTo(wei(6_000_000));
    assertThat(asSettler.feesThrough(BigInteger.valueOf(end)).send()).isEqualTo(wei(1_000_000));

    // The escrow holds enough, the window does not.
    refused(start, end, 0, 1, List.of(fresh()), List.of(wei(1_000_001)), "WindowCapExceeded");
    // Across sub-batches too: the window's total is capped, not each sub-batch.
    local.driver.settle(
        local.settler, start, end, 0, 2, List.of(fresh()), List.of(wei(900_000)), ROOT);
    refused(start, end, 1, 2, List.of(fresh()), List.of(wei(100_001)), "WindowCapExceeded");
    local.driver.settle(
        local.settler, start, end, 1, 2, List.of(fresh()), List.of(wei(100_000)), ROOT);
    assertThat(asSettler.totalSettled().send()).isEqualTo(wei(1_000_000));
    assertThat(asSettler.escrowed().send()).isEqualTo(wei(5_000_000));
  }

  @Test
  void shouldRefuseTheSameWindowUnderANewIdOrAfterALaterWindow() throws Exception {
    long start = local.head() + 1;
    local.pay(payer, modelId, wei(1_000_000));
    long end = local.head();
    local.pay(payer, modelId, wei(1_000_000));
    long next = local.head();
    String p = fresh();

    local.driver.settle(local.settler, start, end, 0, 2, List.of(p), List.of(wei(400_000)), ROOT);
    // the very batch again
    refused(start, end, 0, 2, List.of(p), List.of(wei(1)), "BatchAlreadySettled");
    // the same window as more sub-batches than its first settled one said
    refused(start, end, 2, 3, List.of(p), List.of(wei(1)), "SubBatchCountMismatch");
    // an overlapping window, a window inside it, a window before it: new ids, same fees
    refused(start + 1, end, 0, 1, List.of(p), List.of(wei(1)), "WindowOutOfOrder");
    refused(start, end - 1, 0, 1, List.of(p), List.of(wei(1)), "WindowOutOfOrder");
    refused(start - 5, start - 1, 0, 1, List.of(p), List.of(wei(1)), "WindowOutOfOrder");

    local.driver.settle(
        local.settler, end + 1, next, 0, 1, List.of(p), List.of(wei(1_000_000)), ROOT);
    // the first window's other sub-batch, once a later window is paid, never
    refused(start, end, 1, 2, List.of(p), List.of(wei(1)), "WindowOutOfOrder");
    Settlement.Window last = asSettler.lastWindow().send();
    assertThat(List.of(last.start, last.end, last.subBatchCount))
        .containsExactly(BigInteger.valueOf(end + 1), BigInteger.valueOf(next), BigInteger.ONE);
  }

  @Test
  void shouldRefuseABatchIdNotDerivedFromItsWindow() throws Exception {
    long start = local.head() + 1;
    local.pay(payer, modelId, wei(1_000_000));
    long end = local.head();
    List<String> payees = List.of(fresh());
    List<BigInteger> amounts = List.of(wei(1_000));

    byte[] invented = Hash.sha3("batch-roles-1".getBytes(StandardCharsets.UTF_8));
    byte[] otherChain =
        org.openledger.bridge.settle.WindowBatchId.of(local.chain.chainId() + 1, start, end, 0);
    byte[] otherSubBatch = local.batchId(start, end, 1);
    byte[] otherWindow = local.batchId(start, end + 1, 0);
    for (byte[] id : List.of(invented, otherChain, otherSubBatch, otherWindow)) {
      local.assertReverts(
          asSettler,
          local.settler,
          local.proposeCall(local.settler, id, start, end, 0, 1, payees, amounts, ROOT),
          "BatchIdMismatch(bytes32,bytes32)");
    }
    assertThat(asSettler.isSettled(invented).send()).isFalse();
    local.driver.settle(local.settler, start, end, 0, 1, payees, amounts, ROOT);
    assertThat(asSettler.isSettled(local.batchId(start, end, 0)).send()).isTrue();
  }

  @Test
  void shouldRefuseAWindowNotClosedOrMalformedOrWithoutRoot() throws Exception {
    long start = local.head() + 1;
    local.pay(payer, modelId, wei(1_000_000));
    long head = local.head();
    // eth_call simulates in the head's block (anvil): a window ending there is not closed yet
    long end = head - 1;
    List<String> payees = List.of(fresh());
    List<BigInteger> amounts = List.of(wei(1));

    refused(start, head + 10, 0, 1, payees, amounts, "WindowNotClosed");
    refused(start, start - 1, 0, 1, payees, amounts, "InvalidWindow");
    refused(start, end, 1, 1, payees, amounts, "SubBatchOutOfRange");
    refused(start, end, 0, 0, payees, amounts, "SubBatchOutOfRange");
    local.assertReverts(
        asSettler,
        local.settler,
        local.proposeCall(
            local.settler,
            local.batchId(start, head, 0),
            start,
            head,
            0,
            1,
            payees,
            amounts,
            new byte[32]),
        "ZeroRoot()");
    var asStranger = local.driver.settlement(payer);
    local.assertReverts(
        asStranger,
        payer,
        local.proposeCall(
            payer, local.batchId(start, end, 0), start, end, 0, 1, payees, amounts, ROOT),
        "AccessControlUnauthorizedAccount(address,bytes32)");
  }

  @Test
  void shouldPayTheHonestSequenceOfWindowsWithCarriesAndSubBatchesAndConserveFees()
      throws Exception {
    String p1 = fresh();
    String p2 = fresh();
    String p3 = fresh();
    String p4 = fresh();
    long a = local.head() + 1;
    local.pay(payer, modelId, wei(1_000_000));
    long aEnd = local.head();
    local.pay(payer, modelId, wei(600_000));
    long bEnd = local.head();
    local.pay(payer, modelId, wei(1_500_000));
    local.pay(payer, modelId, wei(900_000));
    long cEnd = local.head();

    // Window A (fees 1,000,000): two sub-batches, in any order; p3's 100,000 is below the
    // minimum payout and carries over.
    local.driver.settle(local.settler, a, aEnd, 1, 2, List.of(p2), List.of(wei(300_000)), ROOT);
    local.driver.settle(local.settler, a, aEnd, 0, 2, List.of(p1), List.of(wei(600_000)), ROOT);
    // Window B (fees 600,000) pays its fees and A's carry: 700,000, within the fees up to B.
    local.driver.settle(
        local.settler, aEnd + 1, bEnd, 0, 1, List.of(p3), List.of(wei(700_000)), ROOT);
    // Window C (fees 2,400,000) in three sub-batches.
    local.driver.settle(
        local.settler, bEnd + 1, cEnd, 0, 3, List.of(p1, p2), List.of(wei(1), wei(999_999)), ROOT);
    local.driver.settle(
        local.settler, bEnd + 1, cEnd, 2, 3, List.of(p4), List.of(wei(900_000)), ROOT);
    local.driver.settle(
        local.settler, bEnd + 1, cEnd, 1, 3, List.of(p1), List.of(wei(500_000)), ROOT);

    BigInteger fees = wei(4_000_000);
    assertThat(asSettler.totalFees().send()).isEqualTo(fees);
    assertThat(asSettler.totalSettled().send()).isEqualTo(fees);
    assertThat(asSettler.escrowed().send()).isZero();
    assertThat(local.driver.token(payer).balanceOf(local.deployment.address("Settlement")).send())
        .isZero();
    var token = local.driver.token(payer);
    assertThat(token.balanceOf(p1).send()).isEqualTo(wei(1_100_001));
    assertThat(token.balanceOf(p2).send()).isEqualTo(wei(1_299_999));
    assertThat(token.balanceOf(p3).send()).isEqualTo(wei(700_000));
    assertThat(token.balanceOf(p4).send()).isEqualTo(wei(900_000));
  }

  /** Asserts the settler's (otherwise well-formed) batch is refused with {@code error}. */
  private void refused(
      long start,
      long end,
      int subBatch,
      int count,
      List<String> payees,
      List<BigInteger> amounts,
      String error)
      throws Exception {
    String signature =
        switch (error) {
          case "BatchAlreadySettled" -> "BatchAlreadySettled(bytes32)";
          case "WindowOutOfOrder" -> "WindowOutOfOrder(uint256,uint256,uint256,uint256)";
          case "ZeroRoot" -> "ZeroRoot()";
          default -> error + "(uint256,uint256)";
        };
    local.assertReverts(
        asSettler,
        local.settler,
        local.proposeCall(
            local.settler,
            local.batchId(start, end, subBatch),
            start,
            end,
            subBatch,
            count,
            payees,
            amounts,
            ROOT),
        signature);
  }

  private static BigInteger wei(long n) {
    return BigInteger.valueOf(n);
  }

  private static String fresh() throws Exception {
    return "0x" + Keys.getAddress(Keys.createEcKeyPair());
  }
}
