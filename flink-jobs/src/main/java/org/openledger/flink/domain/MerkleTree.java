package org.openledger.flink.domain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Merkle tree laid out as OpenZeppelin's {@code StandardMerkleTree} lays it out, so its root and
 * proofs are the ones that library computes and {@code MerkleProof.verify} accepts: leaves sorted
 * by hash, stored from the end of a {@code 2n-1} array; a node hashes its two children as a sorted
 * pair ({@code keccak256(min ‖ max)}). docs/PAYMENTS.md describes the leaves.
 */
public final class MerkleTree {

  private final byte[][] tree;
  private final int leafCount;

  private MerkleTree(byte[][] tree, int leafCount) {
    this.tree = tree;
    this.leafCount = leafCount;
  }

  /** A tree over {@code leaves} (32-byte hashes), in any order; needs at least one leaf. */
  public static MerkleTree of(List<byte[]> leaves) {
    if (leaves.isEmpty()) {
      throw new IllegalArgumentException("a Merkle tree needs at least one leaf");
    }
    List<byte[]> sorted = new ArrayList<>(leaves);
    sorted.sort(Arrays::compareUnsigned);
    int n = sorted.size();
    byte[][] tree = new byte[2 * n - 1][];
    for (int i = 0; i < n; i++) {
      tree[tree.length - 1 - i] = sorted.get(i).clone();
    }
    for (int i = tree.length - 1 - n; i >= 0; i--) {
      tree[i] = pair(tree[2 * i + 1], tree[2 * i + 2]);
    }
    return new MerkleTree(tree, n);
  }

  public byte[] root() {
    return tree[0].clone();
  }

  public String rootHex() {
    return Abi.hex(tree[0]);
  }

  /** The sibling hashes from {@code leaf} up to the root (empty for a one-leaf tree). */
  public List<byte[]> proof(byte[] leaf) {
    int index = -1;
    for (int i = tree.length - leafCount; i < tree.length; i++) {
      if (Arrays.equals(tree[i], leaf)) {
        index = i;
        break;
      }
    }
    if (index < 0) {
      throw new IllegalArgumentException("not a leaf of this tree: " + Abi.hex(leaf));
    }
    List<byte[]> proof = new ArrayList<>();
    while (index > 0) {
      int sibling = index % 2 == 1 ? index + 1 : index - 1;
      proof.add(tree[sibling].clone());
      index = (index - 1) / 2;
    }
    return proof;
  }

  /** {@code MerkleProof.verify}: folds the proof into the leaf with sorted-pair hashing. */
  public static boolean verify(List<byte[]> proof, byte[] root, byte[] leaf) {
    byte[] node = leaf;
    for (byte[] sibling : proof) {
      node = pair(node, sibling);
    }
    return Arrays.equals(node, root);
  }

  static byte[] pair(byte[] a, byte[] b) {
    byte[] joined = new byte[64];
    boolean aFirst = Arrays.compareUnsigned(a, b) <= 0;
    System.arraycopy(aFirst ? a : b, 0, joined, 0, 32);
    System.arraycopy(aFirst ? b : a, 0, joined, 32, 32);
    return Keccak.digest(joined);
  }
}
