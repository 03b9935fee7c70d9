package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Roots, leaves and proofs as OpenZeppelin computes them. The golden values were printed by
 * {@code @openzeppelin/merkle-tree} 1.x {@code StandardMerkleTree.of(values, [address, uint256,
 * uint8, uint256, bool, uint256])}.
 */
class MerkleTreeTest {

  private static final String A = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
  private static final String B = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
  private static final String T = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";

  private static final List<PayoutLeaf> LEAVES =
      List.of(
          new PayoutLeaf(A, 1, PayoutLeaf.PayeeRole.CONTRIBUTOR, 7, false, big("123456789")),
          new PayoutLeaf(
              B, 1, PayoutLeaf.PayeeRole.MODEL_OWNER, 0, false, big("1000000000000000000")),
          new PayoutLeaf(T, 1, PayoutLeaf.PayeeRole.PROTOCOL, 0, true, big("5")),
          new PayoutLeaf(
              T,
              2,
              PayoutLeaf.PayeeRole.PROTOCOL,
              0,
              false,
              BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE)),
          new PayoutLeaf(A, 2, PayoutLeaf.PayeeRole.CONTRIBUTOR, 9, false, BigInteger.ZERO));

  private static BigInteger big(String s) {
    return new BigInteger(s);
  }

  private static List<byte[]> hashes(List<PayoutLeaf> leaves) {
    return leaves.stream().map(PayoutLeaf::hash).toList();
  }

  @Test
  void shouldHashALeafAsOpenZeppelinsStandardLeaf() {
    assertThat(Abi.hex(LEAVES.get(0).hash()))
        .isEqualTo("0xfab80fcc6c7a4cd1c9947e41ada48f87c67dc78f0cf9938de3d300940ed0aae4");
  }

  @Test
  void shouldComputeOpenZeppelinsRootForOneTwoThreeAndFiveLeaves() {
    assertThat(MerkleTree.of(hashes(LEAVES.subList(0, 1))).rootHex())
        .isEqualTo("0xfab80fcc6c7a4cd1c9947e41ada48f87c67dc78f0cf9938de3d300940ed0aae4");
    assertThat(MerkleTree.of(hashes(LEAVES.subList(0, 2))).rootHex())
        .isEqualTo("0x7cb247927a75c9fa1f97fad2ac791c09e389d9493788d76fa2b781ebee2e30c7");
    assertThat(MerkleTree.of(hashes(LEAVES.subList(0, 3))).rootHex())
        .isEqualTo("0xacd8d35a599b07fce10c98aa791e984127ee2d0a377a57eb24608de34a15a152");
    assertThat(MerkleTree.of(hashes(LEAVES)).rootHex())
        .isEqualTo("0x9f2c0486267d9a76110c6ebae87e6275223b2921b8fbb56e59e1b6ade9a14f48");
  }

  @Test
  void shouldGiveOpenZeppelinsProof() {
    List<byte[]> proof = MerkleTree.of(hashes(LEAVES)).proof(LEAVES.get(0).hash());
    assertThat(proof.stream().map(Abi::hex))
        .containsExactly(
            "0xfeca31bb083e18e21ca6e4745d1e326ce29c951652d950828a2c3782381c97fd",
            "0x99b9ed7f9d5a5464b167f49a625c66736abeb80fdd19943ebb0fef9e469b4919");
  }

  @Test
  void shouldRejectAProofOfALeafThatIsNotInTheTree() {
    MerkleTree tree = MerkleTree.of(hashes(LEAVES.subList(0, 3)));
    byte[] stranger = LEAVES.get(3).hash();
    assertThatThrownBy(() -> tree.proof(stranger)).isInstanceOf(IllegalArgumentException.class);
    assertThat(MerkleTree.verify(tree.proof(LEAVES.get(1).hash()), tree.root(), stranger))
        .isFalse();
  }

  @Test
  void shouldRefuseAnEmptyTree() {
    assertThatThrownBy(() -> MerkleTree.of(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Property(tries = 200)
  void shouldProveEveryLeafAndNotATamperedOne(
      @ForAll @IntRange(min = 1, max = 70) int n, @ForAll long seed) {
    Random random = new Random(seed);
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] leaf = new byte[32];
      random.nextBytes(leaf);
      leaves.add(leaf);
    }
    MerkleTree tree = MerkleTree.of(leaves);
    for (byte[] leaf : leaves) {
      assertThat(MerkleTree.verify(tree.proof(leaf), tree.root(), leaf)).isTrue();
      byte[] tampered = leaf.clone();
      tampered[31] ^= 1;
      assertThat(MerkleTree.verify(tree.proof(leaf), tree.root(), tampered)).isFalse();
    }
    List<byte[]> shuffled = new ArrayList<>(leaves);
    Collections.shuffle(shuffled, random);
    assertThat(MerkleTree.of(shuffled).rootHex()).isEqualTo(tree.rootHex());
  }
}
