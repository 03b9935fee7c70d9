package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.openledger.bridge.chain.Chain;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * The pull alternative measured against push payment ({@link SettlementGasIT}): a Merkle tree of
 * (payee, cumulative amount) leaves as {@code CumulativeClaims} checks them (OpenZeppelin's
 * MerkleProof: leaf = keccak(keccak(abi.encode(account, cumulative))), pairs hashed in sorted
 * order), its root published, and claims with proofs.
 */
final class MerkleClaims {

  private final List<byte[][]> levels = new ArrayList<>();

  private MerkleClaims(List<byte[]> leaves) {
    levels.add(leaves.toArray(new byte[0][]));
    while (levels.get(levels.size() - 1).length > 1) {
      byte[][] level = levels.get(levels.size() - 1);
      byte[][] next = new byte[(level.length + 1) / 2][];
      for (int i = 0; i < next.length; i++) {
        // an odd last node is carried up unchanged
        next[i] = 2 * i + 1 < level.length ? pair(level[2 * i], level[2 * i + 1]) : level[2 * i];
      }
      levels.add(next);
    }
  }

  static byte[] leaf(String account, BigInteger cumulative) {
    String encoded =
        TypeEncoder.encode(new Address(account)) + TypeEncoder.encode(new Uint256(cumulative));
    return Hash.sha3(Hash.sha3(Numeric.hexStringToByteArray(encoded)));
  }

  byte[] root() {
    return levels.get(levels.size() - 1)[0];
  }

  List<byte[]> proof(int index) {
    List<byte[]> proof = new ArrayList<>();
    for (int l = 0; l < levels.size() - 1; l++) {
      int sibling = index ^ 1;
      if (sibling < levels.get(l).length) {
        proof.add(levels.get(l)[sibling]);
      }
      index /= 2;
    }
    return proof;
  }

  private static byte[] pair(byte[] a, byte[] b) {
    byte[] first = Arrays.compareUnsigned(a, b) <= 0 ? a : b;
    byte[] second = first == a ? b : a;
    byte[] both = new byte[64];
    System.arraycopy(first, 0, both, 0, 32);
    System.arraycopy(second, 0, both, 32, 32);
    return Hash.sha3(both);
  }

  /**
   * Deploys and funds a claims contract for {@code payees}, publishes the root of each earning
   * {@code amount}, has {@code sampled} of them claim, then publishes a root of twice that
   * (cumulative) and has them claim again: {publish gas, mean first claim, mean later claim}.
   */
  static long[] measure(LocalChain local, List<String> payees, BigInteger amount, int sampled)
      throws Exception {
    var tm = local.chain.signer(local.deployer);
    CumulativeClaims claims =
        CumulativeClaims.deploy(
                local.chain.web3(),
                tm,
                Chain.GAS,
                local.deployer.getAddress(),
                local.deployment.address("OpenToken"))
            .send();
    BigInteger funds = amount.multiply(BigInteger.valueOf(2L * payees.size()));
    local.driver.fund(local.deployer, claims.getContractAddress(), funds);
    long publish = 0;
    long[] means = new long[2];
    int count = Math.min(sampled, payees.size());
    for (int round = 1; round <= 2; round++) {
      BigInteger cumulative = amount.multiply(BigInteger.valueOf(round));
      List<byte[]> leaves = new ArrayList<>();
      for (String p : payees) {
        leaves.add(leaf(p, cumulative));
      }
      MerkleClaims tree = new MerkleClaims(leaves);
      TransactionReceipt published = claims.publish(tree.root()).send();
      if (round == 1) {
        publish = published.getGasUsed().longValueExact();
      }
      long sum = 0;
      for (int i = 0; i < count; i++) {
        // spread over the tree, so proofs of every length are sampled
        int index = (int) ((long) i * payees.size() / count);
        TransactionReceipt claimed =
            claims.claim(payees.get(index), cumulative, tree.proof(index)).send();
        assertThat(claimed.isStatusOK()).isTrue();
        sum += claimed.getGasUsed().longValueExact();
      }
      means[round - 1] = sum / count;
    }
    assertThat(local.driver.token(local.deployer).balanceOf(payees.get(0)).send())
        .isEqualTo(amount.multiply(BigInteger.TWO));
    return new long[] {publish, means[0], means[1]};
  }
}
