package org.openledger.bridge.scenario;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.contracts.ProtocolParams;
import org.openledger.bridge.settle.WindowBatchId;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;

/**
 * A short scenario that makes the contracts emit every event the pipeline consumes, on the dev
 * chain: Datanets, a curator, contributions accepted, rejected, flagged, disputed, cleared, slashed
 * and withdrawn, a model and its transfer, paid inferences, a governance change of the split, and
 * one settled batch. The batch pays zero wei for the deployment's first block (no fee can be in
 * it), first thing, so it never stands in the way of the payment job's windows, which all come
 * later.
 */
public final class SampleScenario {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);

  /** What the scenario did, so a test can check every decoded field against it. */
  public record Report(
      Credentials owner,
      Credentials curator,
      Credentials contributor,
      Credentials payer,
      long datanetId,
      long acceptedId,
      long slashedId,
      long withdrawnId,
      long modelId,
      long inferenceId,
      BigInteger fee,
      byte[] batchId,
      byte[] root,
      BigInteger payout) {}

  private SampleScenario() {}

  public static Report run(
      Chain chain, ScenarioDriver driver, DevAccounts accounts, int firstUser, ContentStore content)
      throws Exception {
    Credentials deployer = accounts.account(0);
    Credentials settler = accounts.account(1);
    Credentials owner = accounts.account(firstUser);
    Credentials curator = accounts.account(firstUser + 1);
    Credentials contributor = accounts.account(firstUser + 2);
    Credentials payer = accounts.account(firstUser + 3);
    for (Credentials c : List.of(owner, curator, contributor, payer)) {
      driver.fund(deployer, c.getAddress(), OPEN.multiply(BigInteger.valueOf(1000)));
    }

    // The deployment's first block holds no fee: a window of its own, settled for zero wei before
    // any fee, so it precedes every window the payment job will settle. Only on a deployment with
    // nothing settled yet: a later window would make it out of order.
    long first = driver.startBlock();
    byte[] batchId = WindowBatchId.of(chain.chainId(), first, first, 0);
    byte[] root = Hash.sha3(bytes("sample-root"));
    BigInteger payout = BigInteger.ZERO;
    if (driver.settlement(settler).lastWindow().send().subBatchCount.signum() == 0) {
      driver.settle(
          settler, first, first, 0, 1, List.of(contributor.getAddress()), List.of(payout), root);
    }

    long datanetId = driver.createDatanet(owner, "fortunes-science", OPEN);
    driver.setCurator(owner, datanetId, curator.getAddress());
    byte[] energy = bytes("Energy equals mass times the speed of light squared: E = mc^2.");
    byte[] cheese = bytes("The moon is made of green cheese.");
    byte[] entropy = bytes("The entropy of an isolated system never decreases.");
    long accepted = driver.contribute(contributor, datanetId, energy, content.put(energy), OPEN);
    long rejected = driver.contribute(contributor, datanetId, cheese, content.put(cheese), OPEN);
    long withdrawn = driver.contribute(contributor, datanetId, entropy, content.put(entropy), OPEN);
    driver.review(curator, accepted, true);
    driver.review(curator, rejected, false);
    // The flag path (docs/SECURITY.md, "Slashing on chain"): the flagger freezes the rejected
    // contribution's stake, its contributor disputes, governance slashes anyway; the accepted one
    // is flagged too and governance clears it.
    Credentials flagger = accounts.account(2);
    driver.flag(flagger, rejected, 3, "scenario: rejected by its curator");
    driver.dispute(contributor, rejected);
    driver.slash(List.of(deployer), rejected, 3, "Slash contribution " + rejected);
    driver.flag(flagger, accepted, 2, "scenario: flagged in error");
    driver.clearFlag(List.of(deployer), accepted, "Clear the flag of contribution " + accepted);
    chain.mine(25);
    driver.withdraw(contributor, withdrawn);

    long modelId = driver.registerModel(owner, List.of(datanetId), 0, "physics-tutor");
    driver.models(owner).transferModel(BigInteger.valueOf(modelId), curator.getAddress()).send();
    BigInteger fee = OPEN.multiply(BigInteger.valueOf(3)).add(BigInteger.ONE);
    byte[] query = bytes("What does energy equal? Mass times the speed of light squared.");
    long inferenceId = driver.payForInference(payer, modelId, fee, query, content.put(query));

    ProtocolParams.Params current = driver.params(deployer).params().send();
    driver.changeParams(
        List.of(deployer),
        new ProtocolParams.Params(
            BigInteger.valueOf(6500),
            BigInteger.valueOf(2500),
            BigInteger.valueOf(1000),
            current.topK,
            current.similarityThresholdPpm,
            current.duplicateBoundPpm,
            current.minPayout,
            current.settlementWindowBlocks,
            current.maxPayeesPerBatch,
            BigInteger.TWO, // share rule POWER, exponent 2
            BigInteger.TWO),
        "sample scenario: owner share 25%, share rule POWER 2 #" + System.nanoTime());

    return new Report(
        owner,
        curator,
        contributor,
        payer,
        datanetId,
        accepted,
        rejected,
        withdrawn,
        modelId,
        inferenceId,
        fee,
        batchId,
        root,
        payout);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
