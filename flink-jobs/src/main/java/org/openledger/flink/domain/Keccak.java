package org.openledger.flink.domain;

import java.util.HexFormat;
import org.bouncycastle.crypto.digests.KeccakDigest;

/** Keccak-256 as the EVM computes it (not NIST SHA3-256): how content commitments are checked. */
public final class Keccak {

  private Keccak() {}

  /** The 0x-prefixed lowercase hex keccak-256 of {@code bytes}. */
  public static String hex(byte[] bytes) {
    return "0x" + HexFormat.of().formatHex(digest(bytes));
  }

  // One digest per thread: doFinal resets it, and a fresh one per leaf hash (two a leaf, plus the
  // tree's pairs) cost the payment ledger a noticeable share of its time in allocation and setup.
  private static final ThreadLocal<KeccakDigest> DIGEST =
      ThreadLocal.withInitial(() -> new KeccakDigest(256));

  /** The 32-byte keccak-256 of {@code bytes}. */
  public static byte[] digest(byte[] bytes) {
    KeccakDigest digest = DIGEST.get();
    digest.update(bytes, 0, bytes.length);
    byte[] out = new byte[32];
    digest.doFinal(out, 0);
    return out;
  }
}
