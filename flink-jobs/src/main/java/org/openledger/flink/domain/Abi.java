package org.openledger.flink.domain;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Solidity's {@code abi.encode} for the static types the payout leaves and batch ids use: each
 * value is one 32-byte big-endian word, so a contract (or anyone) can recompute the same hashes.
 */
public final class Abi {

  private static final BigInteger UINT256_MAX =
      BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public static Abi encode() {
    return new Abi();
  }

  public Abi uint256(BigInteger value) {
    if (value.signum() < 0 || value.compareTo(UINT256_MAX) > 0) {
      throw new IllegalArgumentException("not a uint256: " + value);
    }
    byte[] raw = value.toByteArray(); // big-endian two's complement, maybe with a sign byte
    byte[] word = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, word, 32 - n, n);
    out.writeBytes(word);
    return this;
  }

  public Abi uint256(long value) {
    return uint256(BigInteger.valueOf(value));
  }

  public Abi bool(boolean value) {
    return uint256(value ? 1 : 0);
  }

  /** An address: 20 bytes, left-padded to a word. */
  public Abi address(String hex) {
    byte[] raw = bytes(hex, 20, "address");
    byte[] word = new byte[32];
    System.arraycopy(raw, 0, word, 12, 20);
    out.writeBytes(word);
    return this;
  }

  public byte[] bytes() {
    return out.toByteArray();
  }

  /** The bytes of {@code 0x}-prefixed hex of exactly {@code length} bytes. */
  public static byte[] bytes(String hex, int length, String what) {
    if (hex == null || !hex.startsWith("0x") || hex.length() != 2 + 2 * length) {
      throw new IllegalArgumentException("not a " + what + ": " + hex);
    }
    try {
      return HexFormat.of().parseHex(hex.substring(2).toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a " + what + ": " + hex, e);
    }
  }

  public static String hex(byte[] bytes) {
    return "0x" + HexFormat.of().formatHex(bytes);
  }
}
