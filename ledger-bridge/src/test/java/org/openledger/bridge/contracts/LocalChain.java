package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.deploy.Deployer;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.scenario.ScenarioDriver;
import org.openledger.bridge.settle.WindowBatchId;
import org.openledger.testing.LocalStack;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.Contract;

/**
 * A fresh contract set on the real dev node for one test class, with the dev accounts in their
 * roles: 0 deploys, 1 settles, 2 flags, 3 is the treasury, 4 and up are users; the timelock alone
 * slashes.
 */
final class LocalChain implements AutoCloseable {

  final Chain chain = new Chain(LocalStack.evmRpcUrl().toString(), LocalStack.evmChainId());
  final DevAccounts accounts = DevAccounts.devNode();
  final Credentials deployer = accounts.account(0);
  final Credentials settler = accounts.account(1);
  final Credentials flagger = accounts.account(2);
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

  /** The node's latest block. */
  long head() throws Exception {
    return chain.web3().ethBlockNumber().send().getBlockNumber().longValueExact();
  }

  /** Pays {@code fee} for one inference of {@code modelId}; returns the block it is paid in. */
  long pay(Credentials payer, long modelId, BigInteger fee) throws Exception {
    long before = head();
    driver.payForInference(payer, modelId, fee, Hash.sha3(fee.toByteArray()), "file:///q");
    // the fee's block, from this deployment's last FeeEscrowed log
    EthFilter filter =
        new EthFilter(
            DefaultBlockParameter.valueOf(BigInteger.valueOf(before + 1)),
            DefaultBlockParameterName.LATEST,
            deployment.address("Settlement"));
    filter.addSingleTopic(EventEncoder.encode(Settlement.FEEESCROWED_EVENT));
    List<EthLog.LogResult> logs = chain.web3().ethGetLogs(filter).send().getLogs();
    assertThat(logs).isNotEmpty();
    return ((Log) logs.get(logs.size() - 1).get()).getBlockNumber().longValueExact();
  }

  /**
   * The {@code propose} call of sub-batch {@code subBatch} of {@code subBatchCount} of window
   * [{@code start}, {@code end}], under {@code batchId} (the derived id unless a test invents one).
   */
  RemoteFunctionCall<TransactionReceipt> proposeCall(
      Credentials as,
      byte[] batchId,
      long start,
      long end,
      int subBatch,
      int subBatchCount,
      List<String> payees,
      List<BigInteger> amounts,
      byte[] root) {
    return driver
        .settlement(as)
        .propose(
            batchId,
            BigInteger.valueOf(start),
            BigInteger.valueOf(end),
            BigInteger.valueOf(subBatch),
            BigInteger.valueOf(subBatchCount),
            payees,
            amounts,
            root);
  }

  /** The id the contract derives for a sub-batch of a window on this chain. */
  byte[] batchId(long start, long end, int subBatch) {
    return WindowBatchId.of(chain.chainId(), start, end, subBatch);
  }

  /**
   * Asserts that {@code call}, sent by {@code from}, reverts with the custom error {@code
   * errorSignature} (e.g. {@code "NotCurator(address,uint256)"}), by simulating it with eth_call.
   */
  void assertReverts(
      Contract target, Credentials from, RemoteFunctionCall<?> call, String errorSignature)
      throws Exception {
    assertReverts(
        from.getAddress(), target.getContractAddress(), call.encodeFunctionCall(), errorSignature);
  }

  /** As above, sent by any address: e.g. the timelock, as an executed proposal sends. */
  void assertReverts(
      Contract target, String from, RemoteFunctionCall<?> call, String errorSignature)
      throws Exception {
    assertReverts(from, target.getContractAddress(), call.encodeFunctionCall(), errorSignature);
  }

  /**
   * Asserts that {@code data}, sent by {@code from} (any address: eth_call signs nothing) to {@code
   * to}, reverts with the custom error {@code errorSignature}.
   */
  void assertReverts(String from, String to, String data, String errorSignature) throws Exception {
    assertThat(revertData(simulate(from, to, data), errorSignature))
        .as("revert data")
        .startsWith(selector(errorSignature));
  }

  /**
   * Asserts that {@code data}, sent by {@code from} to {@code to} ({@code null}: a contract
   * creation), reverts with exactly {@code error}: its name and every argument. A custom error is
   * ABI-encoded as a call of a function of the same signature, so {@code error} is written as one,
   * e.g. {@code new Function("TooLong", List.of(new Utf8String("name"), ...), List.of())}.
   */
  void assertRevertsWith(String from, String to, String data, Function error) throws Exception {
    String expected = FunctionEncoder.encode(error);
    assertThat(revertData(simulate(from, to, data), error.getName()))
        .as("revert data of %s", error.getName())
        .isEqualTo(expected);
  }

  /** {@link #assertRevertsWith(String, String, String, Function)} for a wrapper's call. */
  void assertRevertsWith(
      Contract target, Credentials from, RemoteFunctionCall<?> call, Function error)
      throws Exception {
    assertRevertsWith(
        from.getAddress(), target.getContractAddress(), call.encodeFunctionCall(), error);
  }

  /** Asserts that {@code data}, sent by {@code from} to {@code to}, would not revert. */
  void assertSimulates(String from, String to, String data) throws Exception {
    EthCall result = simulate(from, to, data);
    assertThat(result.isReverted())
        .as("reverted: %s", result.getError() == null ? "" : result.getError().getMessage())
        .isFalse();
  }

  /**
   * Runs {@code data} from {@code from} on {@code to} with eth_call at the head; nothing is sent.
   */
  EthCall simulate(String from, String to, String data) throws Exception {
    return chain
        .web3()
        .ethCall(
            Transaction.createEthCallTransaction(from, to, data), DefaultBlockParameterName.LATEST)
        .send();
  }

  private static String revertData(EthCall result, String error) {
    assertThat(result.isReverted()).as("%s reverts", error).isTrue();
    // web3j keeps the error's "data" as raw JSON: a quoted hex string.
    return result.getError() != null
        ? String.valueOf(result.getError().getData()).replace("\"", "")
        : "";
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
