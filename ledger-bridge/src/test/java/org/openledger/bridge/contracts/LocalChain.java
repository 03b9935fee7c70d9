package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.deploy.Deployer;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.scenario.ScenarioDriver;
import org.openledger.testing.LocalStack;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.tx.Contract;

/**
 * A fresh contract set on the real dev node for one test class, with the dev accounts in their
 * roles: 0 deploys, 1 settles, 2 slashes, 3 is the treasury, 4 and up are users.
 */
final class LocalChain implements AutoCloseable {

  final Chain chain = new Chain(LocalStack.evmRpcUrl().toString(), LocalStack.evmChainId());
  final DevAccounts accounts = DevAccounts.devNode();
  final Credentials deployer = accounts.account(0);
  final Credentials settler = accounts.account(1);
  final Credentials slasher = accounts.account(2);
  final Credentials treasury = accounts.account(3);
  final Deployment deployment;
  final ScenarioDriver driver;

  LocalChain() throws Exception {
    deployment = Deployer.deployDev(chain, accounts);
    driver = new ScenarioDriver(chain, deployment);
  }

  Credentials user(int n) {
    return accounts.account(4 + n);
  }

  /**
   * Asserts that {@code call}, sent by {@code from}, reverts with the custom error {@code
   * errorSignature} (e.g. {@code "NotCurator(address,uint256)"}), by simulating it with eth_call.
   */
  void assertReverts(
      Contract target, Credentials from, RemoteFunctionCall<?> call, String errorSignature)
      throws Exception {
    EthCall result =
        chain
            .web3()
            .ethCall(
                Transaction.createEthCallTransaction(
                    from.getAddress(), target.getContractAddress(), call.encodeFunctionCall()),
                DefaultBlockParameterName.LATEST)
            .send();
    assertThat(result.isReverted()).as("%s reverts", errorSignature).isTrue();
    // web3j keeps the error's "data" as raw JSON: a quoted hex string.
    String data =
        result.getError() != null
            ? String.valueOf(result.getError().getData()).replace("\"", "")
            : "";
    assertThat(data).as("revert data").startsWith(selector(errorSignature));
  }

  /** The 4-byte selector of an error or function signature, 0x-prefixed. */
  static String selector(String signature) {
    return Hash.sha3String(signature).substring(0, 10);
  }

  /** Asserts that {@code call} succeeds when sent by the signer its contract was loaded with. */
  static void assertSucceeds(
      RemoteFunctionCall<org.web3j.protocol.core.methods.response.TransactionReceipt> call)
      throws Exception {
    assertThat(call.send().isStatusOK()).isTrue();
  }

  @Override
  public void close() {
    chain.close();
  }
}
