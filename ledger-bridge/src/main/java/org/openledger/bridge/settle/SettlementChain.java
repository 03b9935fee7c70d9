package org.openledger.bridge.settle;

import java.io.IOException;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.contracts.OpenToken;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.bridge.domain.settle.Attempt;
import org.openledger.bridge.domain.settle.BatchOnChain;
import org.openledger.bridge.domain.settle.Observation;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.utils.Numeric;

/**
 * The settlement contract as the writer uses it, over web3j: a batch's state, simulate and estimate
 * a {@code propose} or {@code finalize}, sign it locally with a nonce the writer chose, broadcast
 * raw bytes, look up receipts, approve the escrow for proposal bonds. Transient node errors surface
 * as {@link IOException} for the writer to retry.
 */
final class SettlementChain {

  /** The contract's custom errors by selector, so a refusal reads as what happened. */
  private static final Map<String, String> ERRORS = errors();

  /** Refusals that time cures: the window's last block is not yet under the head. */
  static final String NOT_CLOSED = "WindowNotClosed";

  private static Map<String, String> errors() {
    Map<String, String> byName = new java.util.HashMap<>();
    for (String signature :
        List.of(
            "BatchAlreadySettled(bytes32)",
            "BatchIdMismatch(bytes32,bytes32)",
            "InvalidWindow(uint256,uint256)",
            "WindowNotClosed(uint256,uint256)",
            "WindowOutOfOrder(uint256,uint256,uint256,uint256)",
            "SubBatchOutOfRange(uint256,uint256)",
            "SubBatchCountMismatch(uint256,uint256)",
            "WindowCapExceeded(uint256,uint256)",
            "ZeroRoot()",
            "LengthMismatch(uint256,uint256)",
            "EmptyBatch()",
            "ZeroPayee(uint256)",
            "TooMany(string,uint256,uint256)",
            "BatchAlreadyProposed(bytes32,uint8)",
            "WrongState(bytes32,uint8)",
            "ChallengeWindowOpen(bytes32,uint256,uint256)",
            "ChallengeWindowClosed(bytes32,uint256,uint256)",
            "CommitmentMismatch(bytes32)",
            "ERC20InsufficientBalance(address,uint256,uint256)",
            "ERC20InsufficientAllowance(address,uint256,uint256)")) {
      byName.put(selector(signature), signature.substring(0, signature.indexOf('(')));
    }
    byName.put(
        selector("AccessControlUnauthorizedAccount(address,bytes32)"),
        "AccessControlUnauthorizedAccount (the writer's key lacks SETTLER_ROLE)");
    return Map.copyOf(byName);
  }

  /** Refusals a later block cures: the challenge window of the batch is still open. */
  static final String WINDOW_OPEN = "ChallengeWindowOpen";

  /** A simulated transaction: the gas it needs, or why the contract would refuse it. */
  record Preflight(BigInteger gas, String revert) {}

  private final Chain chain;
  private final Credentials settler;
  private final Settlement contract;

  SettlementChain(Chain chain, String settlementAddress, Credentials settler) {
    this.chain = chain;
    this.settler = settler;
    this.contract =
        Settlement.load(
            settlementAddress,
            chain.web3(),
            new ReadonlyTransactionManager(chain.web3(), settler.getAddress()),
            Chain.GAS);
  }

  String settler() {
    return settler.getAddress();
  }

  /** The batch's state on chain ({@code proposalOf}). */
  BatchOnChain onChain(String batchId) throws IOException {
    try {
      Settlement.Proposal p = contract.proposalOf(bytes32(batchId)).send();
      BatchOnChain.State state = BatchOnChain.State.of(p.state.intValueExact());
      // A voided proposal keeps its window's sub-batch count, so a new one keeps its window.
      boolean voided = state == BatchOnChain.State.NONE && p.subBatchCount.signum() != 0;
      return new BatchOnChain(state, p.deadline.longValueExact(), voided);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("proposalOf(" + batchId + ") failed", e);
    }
  }

  /**
   * Lets the escrow take the settler's proposal bonds: approves it for all the settler's OPEN once,
   * waiting for the receipt, when its allowance is below one bond. Sent before any proposal, so the
   * writer's own nonces (ProgressStore) start after it.
   */
  void ensureBondAllowance() throws IOException {
    try {
      BigInteger bond = contract.proposerBond().send();
      OpenToken token =
          OpenToken.load(contract.token().send(), chain.web3(), chain.signer(settler), Chain.GAS);
      String escrow = contract.getContractAddress();
      if (token.allowance(settler.getAddress(), escrow).send().compareTo(bond) >= 0) {
        return;
      }
      BigInteger all = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
      if (!token.approve(escrow, all).send().isStatusOK()) {
        throw new IOException("approving the escrow for proposal bonds failed");
      }
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("cannot approve the escrow for proposal bonds: " + e.getMessage(), e);
    }
  }

  long chainId() {
    return chain.chainId();
  }

  /** The {@code propose} call data of one sub-batch of a window. */
  String proposeCall(
      String batchId,
      long windowStart,
      long windowEnd,
      int subBatch,
      int subBatchCount,
      List<String> payees,
      List<BigInteger> amounts,
      String root) {
    return contract
        .propose(
            bytes32(batchId),
            BigInteger.valueOf(windowStart),
            BigInteger.valueOf(windowEnd),
            BigInteger.valueOf(subBatch),
            BigInteger.valueOf(subBatchCount),
            payees,
            amounts,
            bytes32(root))
        .encodeFunctionCall();
  }

  /** The {@code finalize} call data of a batch: the payees and amounts it was proposed with. */
  String finalizeCall(String batchId, List<String> payees, List<BigInteger> amounts) {
    return contract.finalize(bytes32(batchId), payees, amounts).encodeFunctionCall();
  }

  Preflight preflight(String data) throws IOException {
    EthEstimateGas estimate =
        chain
            .web3()
            .ethEstimateGas(
                Transaction.createEthCallTransaction(
                    settler.getAddress(), contract.getContractAddress(), data))
            .send();
    if (estimate.hasError()) {
      String raw = String.valueOf(estimate.getError().getData()).replace("\"", "");
      if (raw.length() >= 10 && ERRORS.containsKey(raw.substring(0, 10))) {
        return new Preflight(null, ERRORS.get(raw.substring(0, 10)) + " " + raw);
      }
      if (estimate.getError().getMessage().contains("revert")) {
        return new Preflight(null, estimate.getError().getMessage() + " " + raw);
      }
      throw new IOException("eth_estimateGas failed: " + estimate.getError().getMessage());
    }
    return new Preflight(estimate.getAmountUsed(), null);
  }

  Attempt sign(String data, long nonce, BigInteger gasPrice, BigInteger gas, long now) {
    RawTransaction tx =
        RawTransaction.createTransaction(
            BigInteger.valueOf(nonce), gasPrice, gas, contract.getContractAddress(), data);
    byte[] signed = TransactionEncoder.signMessage(tx, chain.chainId(), settler);
    String raw = Numeric.toHexString(signed);
    return new Attempt(nonce, gasPrice, Hash.sha3(raw), raw, now);
  }

  /** Broadcasts signed bytes; a node that already has them is not an error. */
  void broadcast(Attempt attempt) throws IOException {
    EthSendTransaction sent = chain.web3().ethSendRawTransaction(attempt.rawTx()).send();
    if (sent.hasError()) {
      String message = sent.getError().getMessage().toLowerCase(java.util.Locale.ROOT);
      if (message.contains("already known") || message.contains("already imported")) {
        return;
      }
      if (message.contains("nonce too low") || message.contains("replacement transaction")) {
        return; // the decision sees the used nonce or the pending one on its next look
      }
      throw new IOException("eth_sendRawTransaction failed: " + sent.getError().getMessage());
    }
  }

  /** The receipt of any of {@code attempts}, if one was mined. */
  Optional<Observation.Receipt> receipt(List<Attempt> attempts) throws IOException {
    for (Attempt a : attempts) {
      Optional<TransactionReceipt> r =
          chain.web3().ethGetTransactionReceipt(a.txHash()).send().getTransactionReceipt();
      if (r.isPresent()) {
        TransactionReceipt receipt = r.get();
        return Optional.of(
            new Observation.Receipt(
                a.txHash(),
                receipt.getBlockNumber().longValueExact(),
                receipt.isStatusOK(),
                receipt.isStatusOK() ? "" : String.valueOf(receipt.getRevertReason())));
      }
    }
    return Optional.empty();
  }

  boolean known(Attempt attempt) throws IOException {
    return chain
        .web3()
        .ethGetTransactionByHash(attempt.txHash())
        .send()
        .getTransaction()
        .isPresent();
  }

  long nonce(DefaultBlockParameterName at) throws IOException {
    return chain
        .web3()
        .ethGetTransactionCount(settler.getAddress(), at)
        .send()
        .getTransactionCount()
        .longValueExact();
  }

  long head() throws IOException {
    return chain.web3().ethBlockNumber().send().getBlockNumber().longValueExact();
  }

  BigInteger gasPrice() throws IOException {
    return chain.web3().ethGasPrice().send().getGasPrice();
  }

  private static byte[] bytes32(String hex) {
    return HexFormat.of().parseHex(hex.substring(2));
  }

  private static String selector(String signature) {
    return Hash.sha3String(signature).substring(0, 10);
  }
}
