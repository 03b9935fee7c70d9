package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Reports the gas of {@code settle} for 1, 50 and 200 payees, new and already holding OPEN, and of
 * {@code payForInference} as the first fee of a block (a new fee checkpoint) and as a later fee of
 * the same block, on the dev node (a report for docs/BENCHMARKS.md, not an assertion on cost).
 */
class SettlementGasIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);

  @Test
  void shouldReportGasPerSettlementSize() throws Exception {
    try (LocalChain local = new LocalChain()) {
      var payer = local.user(0);
      local.driver.fund(
          local.deployer, payer.getAddress(), OPEN.multiply(BigInteger.valueOf(10_000)));
      long modelId =
          local.driver.registerModel(
              payer,
              List.of(local.driver.createDatanet(payer, "gas", BigInteger.ONE)),
              0,
              "gas-model");
      local.driver.payForInference(
          payer, modelId, OPEN.multiply(BigInteger.valueOf(5_000)), bytes("q"), "file:///q");

      StringBuilder report = new StringBuilder();
      long[] fees = feesInOneBlock(local, modelId);
      report
          .append("| payForInference | gas used |\n|---|---|\n")
          .append("| first fee of a block (new checkpoint) | " + fees[0] + " |\n")
          .append("| later fee of the same block | " + fees[1] + " |\n\n");
      // The deployment's first settlement also creates the last-window and settled-total slots;
      // the table below is the steady state.
      long first = settle(local, freshAddresses(1), "first");
      report
          .append("first settlement of a deployment (1 new payee): ")
          .append(first)
          .append(" gas\n\n")
          .append("| payees | payees were | gas used | gas per payee | marginal gas per payee |\n")
          .append("|---|---|---|---|---|\n");
      long[] single = new long[2];
      for (int n : new int[] {1, 50, 200}) {
        List<String> payees = freshAddresses(n);
        long fresh = settle(local, payees, "new-" + n);
        long existing = settle(local, payees, "existing-" + n);
        if (n == 1) {
          single[0] = fresh;
          single[1] = existing;
        }
        report
            .append(row(n, "new", fresh, single[0]))
            .append(row(n, "existing", existing, single[1]));
      }
      System.out.println("settle() gas on the dev node:\n" + report);
      Path out = Path.of("target", "gas-report.md");
      Files.writeString(out, report.toString());
      assertThat(out).exists();
    }
  }

  /** Marginal: what each payee beyond the first adds, (gas(n) - gas(1)) / (n - 1). */
  private static String row(int n, String kind, long gas, long gasForOne) {
    String marginal = n == 1 ? "-" : Long.toString((gas - gasForOne) / (n - 1));
    return "| " + n + " | " + kind + " | " + gas + " | " + (gas / n) + " | " + marginal + " |\n";
  }

  /** Each settlement pays the one-block window of the head, closed once its block is mined. */
  private static long settle(LocalChain local, List<String> payees, String id) throws Exception {
    List<BigInteger> amounts = Collections.nCopies(payees.size(), BigInteger.valueOf(1_000_000));
    long head = local.head();
    TransactionReceipt receipt =
        local.driver.settle(
            local.settler, head, head, 0, 1, payees, amounts, Hash.sha3(bytes("gas-" + id)));
    assertThat(receipt.isStatusOK()).isTrue();
    return receipt.getGasUsed().longValueExact();
  }

  /**
   * Two fees paid in one block (automine paused for a moment on the shared node): the gas of the
   * first, which adds the block's fee checkpoint, and of the second, which updates it.
   */
  private static long[] feesInOneBlock(LocalChain local, long modelId) throws Exception {
    BigInteger fee = OPEN;
    List<org.web3j.crypto.Credentials> payers = List.of(local.user(1), local.user(2));
    for (var p : payers) {
      local.driver.fund(local.deployer, p.getAddress(), fee);
      local.driver.token(p).approve(local.deployment.address("InferenceMarket"), fee).send();
    }
    List<java.util.concurrent.CompletableFuture<TransactionReceipt>> sent = new ArrayList<>();
    dev(local, "evm_setAutomine", List.of(false));
    try {
      for (var p : payers) {
        sent.add(
            local
                .driver
                .market(p)
                .payForInference(
                    BigInteger.valueOf(modelId), fee, Hash.sha3(bytes(p.getAddress())), "file:///g")
                .sendAsync());
        Thread.sleep(300); // in the pool before the block is mined
      }
      dev(local, "evm_mine", List.of());
    } finally {
      dev(local, "evm_setAutomine", List.of(true));
    }
    List<TransactionReceipt> mined = new ArrayList<>();
    for (var f : sent) {
      mined.add(f.get());
    }
    mined.sort(java.util.Comparator.comparing(TransactionReceipt::getTransactionIndex));
    TransactionReceipt first = mined.get(0);
    TransactionReceipt second = mined.get(1);
    assertThat(second.getBlockNumber()).isEqualTo(first.getBlockNumber());
    return new long[] {first.getGasUsed().longValueExact(), second.getGasUsed().longValueExact()};
  }

  private static void dev(LocalChain local, String method, List<?> params) throws Exception {
    var response =
        new org.web3j.protocol.core.Request<>(
                method,
                params,
                new org.web3j.protocol.http.HttpService(
                    org.openledger.testing.LocalStack.evmRpcUrl().toString()),
                org.web3j.protocol.core.methods.response.VoidResponse.class)
            .send();
    assertThat(response.hasError()).as(method).isFalse();
  }

  private static List<String> freshAddresses(int n) throws Exception {
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      addresses.add("0x" + Keys.getAddress(Keys.createEcKeyPair()));
    }
    Collections.sort(addresses);
    return addresses;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
