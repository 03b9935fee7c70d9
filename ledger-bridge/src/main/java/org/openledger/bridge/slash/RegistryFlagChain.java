package org.openledger.bridge.slash;

import java.io.IOException;
import java.math.BigInteger;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.contracts.DatanetRegistry;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.exceptions.TransactionException;

/**
 * {@link FlagChain} on a deployed DatanetRegistry, signing as the flagger (the only key holding
 * FLAGGER_ROLE); reads at the head.
 */
final class RegistryFlagChain implements FlagChain {

  private final DatanetRegistry registry;

  RegistryFlagChain(Chain chain, String registryAddress, Credentials flagger) {
    this.registry =
        DatanetRegistry.load(registryAddress, chain.web3(), chain.signer(flagger), Chain.GAS);
  }

  @Override
  public State read(long contributionId) throws IOException {
    BigInteger id = BigInteger.valueOf(contributionId);
    try {
      return new State(
          registry.contribution(id).send().status.intValueExact(),
          registry.flagOf(id).send().state.intValueExact());
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("cannot read contribution " + contributionId, e);
    }
  }

  @Override
  public Sent flag(long contributionId, int reasonCode, String evidence) throws IOException {
    try {
      var receipt =
          registry
              .flag(BigInteger.valueOf(contributionId), BigInteger.valueOf(reasonCode), evidence)
              .send();
      return new Sent(
          receipt.isStatusOK(),
          receipt.getTransactionHash() + " at block " + receipt.getBlockNumber());
    } catch (TransactionException e) {
      // Reverted, or no receipt in time: the caller reads the chain again before any resend.
      return new Sent(false, e.getMessage());
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("flag of contribution " + contributionId + " not sent", e);
    }
  }
}
