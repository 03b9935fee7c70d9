package org.openledger.bridge.chain;

import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.MnemonicUtils;

/**
 * Accounts of a development chain, derived from its public mnemonic along the standard path
 * m/44'/60'/0'/0/i (as anvil and Hardhat derive them). Only ever used on the local dev chain: real
 * keys come from a file or the environment.
 */
public final class DevAccounts {

  /** The EIP-155 chain id of the local dev chain; dev accounts are refused on any other chain. */
  public static final long DEV_CHAIN_ID = 1337;

  /** The dev node's public mnemonic (anvil's default): worthless anywhere but a dev chain. */
  public static final String DEV_NODE_MNEMONIC =
      "test test test test test test test test test test test junk";

  private final Bip32ECKeyPair master;

  public DevAccounts(String mnemonic) {
    this.master = Bip32ECKeyPair.generateKeyPair(MnemonicUtils.generateSeed(mnemonic, ""));
  }

  /** The accounts of the local dev node (anvil started by {@code bin/openledger up}). */
  public static DevAccounts devNode() {
    return new DevAccounts(DEV_NODE_MNEMONIC);
  }

  public Credentials account(int index) {
    int hardened = Bip32ECKeyPair.HARDENED_BIT;
    int[] path = {44 | hardened, 60 | hardened, hardened, 0, index};
    return Credentials.create(Bip32ECKeyPair.deriveKeyPair(master, path));
  }
}
