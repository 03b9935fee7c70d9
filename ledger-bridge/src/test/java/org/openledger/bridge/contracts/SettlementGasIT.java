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
import org.openledger.bridge.chain.Chain;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * Reports, on the dev node, the gas of a fee ({@code payForInference}, first and later of a block),
 * of the optimistic settlement's push payment ({@code propose} + {@code finalize}) for 1, 10, 100
 * and 1000 payees, new and already holding OPEN, and of the pull alternative ({@link MerkleClaims}:
 * a root published, then one {@code claim} transaction per payee with its proof), for
 * docs/BENCHMARKS.md; a report, not an assertion on cost.
 */
class SettlementGasIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);
  private static final BigInteger AMOUNT = BigInteger.valueOf(1_000_000);
  private static final int[] SIZES = {1, 10, 100, 500, 1000};

  /** Claims measured per size: each costs the same but for its proof's length. */
  private static final int CLAIMS_SAMPLED = 12;

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
      long[] fees = SettlementGasFees.feesInOneBlock(local, modelId);
      report
          .append("| payForInference | gas used |\n|---|---|\n")
          .append("| first fee of a block (new checkpoint) | " + fees[0] + " |\n")
          .append("| later fee of the same block | " + fees[1] + " |\n\n");
      // The deployment's first proposal also creates the last-window and pending-total slots;
      // the table below is the steady state.
      long[] first = settle(local, freshAddresses(1), "first");
      report
          .append("first settlement of a deployment (1 new payee): propose ")
          .append(first[0])
          .append(" + finalize ")
          .append(first[1])
          .append(" gas\n\n")
          .append("Push: `propose` + `finalize` (the payees in both calls' calldata)\n\n")
          .append("| payees | payees were | propose | finalize | total | total per payee |\n")
          .append("|---|---|---|---|---|---|\n");
      List<long[]> push = new ArrayList<>();
      for (int n : new int[] {1, 10, 100}) {
        List<String> payees = freshAddresses(n);
        long[] fresh = settle(local, payees, "new-" + n);
        long[] existing = settle(local, payees, "existing-" + n);
        report.append(row(n, "new", fresh)).append(row(n, "existing", existing));
        push.add(fresh);
      }
      // 1000 new payees take more than a 30M-gas block to finalize: 500 and 500 make them
      // holders, then all 1000 are paid again as existing, then 1000 fresh ones are tried.
      List<String> big = freshAddresses(1000);
      long[] half = settle(local, big.subList(0, 500), "new-500");
      settle(local, big.subList(500, 1000), "new-500b");
      long[] halfExisting = settle(local, big.subList(0, 500), "existing-500");
      long[] bigExisting = settle(local, big, "existing-1000");
      long[] bigNew = settle(local, freshAddresses(1000), "new-1000");
      report
          .append(row(500, "new", half))
          .append(row(500, "existing", halfExisting))
          .append(row(1000, "new", bigNew))
          .append(row(1000, "existing", bigExisting));
      push.add(half);
      push.add(bigNew);
      report
          .append("\nPull: the same `propose`, then a root published (`publish`, standing for a ")
          .append("`finalize` that stores the root instead of paying), then one `claim` ")
          .append("transaction per payee (mean of ")
          .append(CLAIMS_SAMPLED)
          .append(" claims, each with its 21k base)\n\n")
          .append("| payees | publish | claim, new payee (first claim) | ")
          .append("claim, existing payee (later claim) | total per payee (new) |\n")
          .append("|---|---|---|---|---|\n");
      for (int i = 0; i < SIZES.length; i++) {
        int n = SIZES[i];
        long[] pull = MerkleClaims.measure(local, freshAddresses(n), AMOUNT, CLAIMS_SAMPLED);
        long perPayee = (push.get(i)[0] + pull[0]) / n + pull[1];
        report.append(
            "| " + n + " | " + pull[0] + " | " + pull[1] + " | " + pull[2] + " | " + perPayee
                + " |\n");
      }
      System.out.println("settlement gas on the dev node:\n" + report);
      Path out = Path.of("target", "gas-report.md");
      Files.writeString(out, report.toString());
      assertThat(out).exists();
    }
  }

  private static String row(int n, String kind, long[] gas) {
    if (gas[1] < 0) {
      return "| " + n + " | " + kind + " | " + gas[0] + " | out of gas at 30,000,000 | - | - |\n";
    }
    long total = gas[0] + gas[1];
    return "| "
        + n
        + " | "
        + kind
        + " | "
        + gas[0]
        + " | "
        + gas[1]
        + " | "
        + total
        + " | "
        + (total / n)
        + " |\n";
  }

  /**
   * Proposes and finalizes the one-block window of the head (closed once its block is mined), with
   * a gas limit of a whole block (the largest batches take more than {@link Chain#GAS} allows).
   */
  private static long[] settle(LocalChain local, List<String> payees, String id) throws Exception {
    List<BigInteger> amounts = Collections.nCopies(payees.size(), AMOUNT);
    long head = local.head();
    Credentials settler = local.settler;
    var settlement =
        Settlement.load(
            local.deployment.address("Settlement"),
            local.chain.web3(),
            local.chain.signer(settler),
            new StaticGasProvider(
                BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(30_000_000)));
    local
        .driver
        .token(settler)
        .approve(settlement.getContractAddress(), settlement.proposerBond().send())
        .send();
    byte[] batchId = local.batchId(head, head, 0);
    TransactionReceipt proposed =
        settlement
            .propose(
                batchId,
                BigInteger.valueOf(head),
                BigInteger.valueOf(head),
                BigInteger.ZERO,
                BigInteger.ONE,
                payees,
                amounts,
                Hash.sha3(bytes("gas-" + id)))
            .send();
    assertThat(proposed.isStatusOK()).isTrue();
    local.chain.mine(settlement.challengeWindowBlocks().send().longValueExact());
    try {
      TransactionReceipt finalized = settlement.finalize(batchId, payees, amounts).send();
      return new long[] {
        proposed.getGasUsed().longValueExact(), finalized.getGasUsed().longValueExact()
      };
    } catch (org.web3j.protocol.exceptions.TransactionException e) {
      return new long[] {proposed.getGasUsed().longValueExact(), -1}; // reverted: out of gas
    }
  }

  static List<String> freshAddresses(int n) throws Exception {
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      addresses.add("0x" + Keys.getAddress(Keys.createEcKeyPair()));
    }
    Collections.sort(addresses);
    return addresses;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
