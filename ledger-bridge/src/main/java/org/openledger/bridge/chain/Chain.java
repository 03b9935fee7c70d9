package org.openledger.bridge.chain;

import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
import org.web3j.utils.Numeric;

/**
 * One connection to an EVM node and how this project sends transactions on it: legacy-priced,
 * signed locally with the chain id (EIP-155), receipts polled every 100 ms.
 */
public final class Chain implements AutoCloseable {

  /** Enough for the largest deployment (the governor) and a 200-payee settlement. */
  public static final ContractGasProvider GAS =
      new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(12_000_000L));

  private final HttpService rpc;
  private final Web3j web3;
  private final long chainId;

  public Chain(String rpcUrl, long chainId) {
    this.rpc = new HttpService(Objects.requireNonNull(rpcUrl, "rpcUrl"));
    this.web3 = Web3j.build(rpc);
    this.chainId = chainId;
  }

  /** Dev node only: mines {@code blocks} empty blocks at once (anvil's {@code anvil_mine}). */
  public void mine(long blocks) throws java.io.IOException {
    devCall("anvil_mine", List.of(Numeric.toHexStringWithPrefix(BigInteger.valueOf(blocks))));
  }

  /** Dev node only: moves the clock of the next block forward ({@code evm_increaseTime}). */
  public void increaseTime(long seconds) throws java.io.IOException {
    devCall("evm_increaseTime", List.of(seconds));
  }

  /** Dev node only: gives {@code address} a balance of {@code wei} ether for gas. */
  public void setBalance(String address, BigInteger wei) throws java.io.IOException {
    devCall("anvil_setBalance", List.of(address, Numeric.toHexStringWithPrefix(wei)));
  }

  private void devCall(String method, List<?> params) throws java.io.IOException {
    Response<?> response = new Request<>(method, params, rpc, VoidResponse.class).send();
    if (response.hasError()) {
      throw new java.io.IOException(method + " failed: " + response.getError().getMessage());
    }
  }

  public Web3j web3() {
    return web3;
  }

  public long chainId() {
    return chainId;
  }

  /** A transaction manager signing as {@code credentials}; each role gets its own. */
  public TransactionManager signer(Credentials credentials) {
    return new RawTransactionManager(
        web3, credentials, chainId, new PollingTransactionReceiptProcessor(web3, 100, 600));
  }

  /** The chain id the node reports, to refuse talking to the wrong chain. */
  public long nodeChainId() {
    try {
      return web3.ethChainId().send().getChainId().longValueExact();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot reach the EVM node", e);
    }
  }

  @Override
  public void close() {
    web3.shutdown();
  }
}
