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
 * Reports the gas of {@code settle} for 1, 50 and 200 payees, new and already holding OPEN, on the
 * dev node (a report for docs/BENCHMARKS.md, not an assertion on cost).
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
      report.append(
          "| payees | payees were | gas used | gas per payee | marginal gas per payee |\n"
              + "|---|---|---|---|---|\n");
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

  private static long settle(LocalChain local, List<String> payees, String id) throws Exception {
    List<BigInteger> amounts = Collections.nCopies(payees.size(), BigInteger.valueOf(1_000_000));
    TransactionReceipt receipt =
        local.driver.settle(
            local.settler,
            Hash.sha3(bytes("gas-" + id + "-" + System.nanoTime())),
            payees,
            amounts,
            Hash.sha3(bytes(id)));
    assertThat(receipt.isStatusOK()).isTrue();
    return receipt.getGasUsed().longValueExact();
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
