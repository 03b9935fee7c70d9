package org.openledger.replay;

import java.io.IOException;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.contracts.OpenToken;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.bridge.domain.settle.BatchOnChain;
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
 * The settlement contract as the watcher uses it, signing as the challenger key: a batch id's state
 * ({@code proposalOf}), the escrow's allowance for challenger bonds, and one {@code challenge},
 * simulated first, signed locally, recorded in the {@link ChallengeJournal}, then broadcast.
 */
final class Challenger {

  private final Chain chain;
  private final Credentials key;
  private final Settlement contract;

  Challenger(Chain chain, String settlementAddress, Credentials key) {
    this.chain = chain;
    this.key = key;
    this.contract =
        Settlement.load(
            settlementAddress,
            chain.web3(),
            new ReadonlyTransactionManager(chain.web3(), key.getAddress()),
            Chain.GAS);
  }

  String address() {
    return key.getAddress().toLowerCase(Locale.ROOT);
  }

  /** The batch id's proposal as the contract holds it now. */
  ChallengeDecision.OnChain onChain(String batchId) throws IOException {
    try {
      Settlement.Proposal p = contract.proposalOf(bytes32(batchId)).send();
      return new ChallengeDecision.OnChain(
          BatchOnChain.State.of(p.state.intValueExact()),
          p.deadline.longValueExact(),
          p.challenger.toLowerCase(Locale.ROOT));
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("proposalOf(" + batchId + ") failed", e);
    }
  }

  /**
   * Lets the escrow take challenger bonds: approves it for all the key's OPEN when its allowance is
   * below one bond, waiting for the receipt. Returns a warning when the key holds less than a bond
   * (a challenge would then revert), else null.
   */
  String ensureBondAllowance() throws IOException {
    try {
      BigInteger bond = contract.challengerBond().send();
      OpenToken token =
          OpenToken.load(contract.token().send(), chain.web3(), chain.signer(key), Chain.GAS);
      String escrow = contract.getContractAddress();
      if (token.allowance(key.getAddress(), escrow).send().compareTo(bond) < 0) {
        BigInteger all = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
        if (!token.approve(escrow, all).send().isStatusOK()) {
          throw new IOException("approving the escrow for challenger bonds failed");
        }
      }
      BigInteger balance = token.balanceOf(key.getAddress()).send();
      return balance.compareTo(bond) < 0
          ? "the challenger "
              + address()
              + " holds "
              + balance
              + " wei of OPEN, less than one challenger bond ("
              + bond
              + " wei): fund it, or a challenge will revert"
          : null;
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("cannot approve the escrow for challenger bonds: " + e.getMessage(), e);
    }
  }

  /**
   * Simulates {@code challenge(batchId)}; when the contract would take it, signs it, records it
   * under {@code proposalKey} and broadcasts it. Returns the journal entry, or empty with the
   * simulated revert in {@code refusal[0]}.
   */
  Optional<ChallengeJournal.Entry> challenge(
      String proposalKey, String batchId, ChallengeJournal journal, String[] refusal)
      throws IOException {
    String data = contract.challenge(bytes32(batchId)).encodeFunctionCall();
    String to = contract.getContractAddress();
    EthEstimateGas estimate =
        chain
            .web3()
            .ethEstimateGas(Transaction.createEthCallTransaction(key.getAddress(), to, data))
            .send();
    if (estimate.hasError()) {
      refusal[0] = estimate.getError().getMessage() + " " + estimate.getError().getData();
      return Optional.empty();
    }
    BigInteger gas = estimate.getAmountUsed().multiply(BigInteger.valueOf(5)).shiftRight(2);
    BigInteger nonce =
        chain
            .web3()
            .ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.PENDING)
            .send()
            .getTransactionCount();
    BigInteger gasPrice = chain.web3().ethGasPrice().send().getGasPrice();
    RawTransaction tx = RawTransaction.createTransaction(nonce, gasPrice, gas, to, data);
    String raw = Numeric.toHexString(TransactionEncoder.signMessage(tx, chain.chainId(), key));
    ChallengeJournal.Entry entry = new ChallengeJournal.Entry(batchId, Hash.sha3(raw), raw);
    journal.add(proposalKey, entry); // recorded before it can reach the chain
    broadcast(entry);
    return Optional.of(entry);
  }

  /** Broadcasts a recorded challenge (again); a node that already has it is not an error. */
  void broadcast(ChallengeJournal.Entry entry) throws IOException {
    EthSendTransaction sent = chain.web3().ethSendRawTransaction(entry.rawTx()).send();
    if (sent.hasError()) {
      String message = sent.getError().getMessage().toLowerCase(Locale.ROOT);
      if (!message.contains("already known")
          && !message.contains("already imported")
          && !message.contains("nonce too low")) {
        throw new IOException("eth_sendRawTransaction failed: " + sent.getError().getMessage());
      }
    }
  }

  Optional<TransactionReceipt> receipt(String txHash) throws IOException {
    return chain.web3().ethGetTransactionReceipt(txHash).send().getTransactionReceipt();
  }

  boolean known(String txHash) throws IOException {
    return chain.web3().ethGetTransactionByHash(txHash).send().getTransaction().isPresent();
  }

  private static byte[] bytes32(String hex) {
    return HexFormat.of().parseHex(hex.substring(2));
  }
}
