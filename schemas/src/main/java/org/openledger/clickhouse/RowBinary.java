package org.openledger.clickhouse;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Reads ClickHouse's RowBinary format column by column, in the types the project's tables use:
 * integers little-endian, strings length-prefixed (LEB128), {@code Decimal(38, 0)} as a 16-byte
 * two's-complement integer, so wei amounts arrive exact.
 */
public final class RowBinary {

  private final DataInputStream in;

  public RowBinary(byte[] bytes) {
    this.in = new DataInputStream(new ByteArrayInputStream(bytes));
  }

  /** Whether another row follows. */
  public boolean hasMore() throws IOException {
    return in.available() > 0;
  }

  public String string() throws IOException {
    long length = varint();
    if (length > in.available()) {
      throw new EOFException("a string of " + length + " bytes past the end of the answer");
    }
    return new String(in.readNBytes((int) length), StandardCharsets.UTF_8);
  }

  /** A {@code UInt64} (as a Java long: unsigned above 2^63 - 1) or {@code Int64}. */
  public long uint64() throws IOException {
    return Long.reverseBytes(in.readLong());
  }

  /** A {@code UInt8}, or an {@code Enum8}'s value. */
  public int uint8() throws IOException {
    return in.readUnsignedByte();
  }

  /** A {@code Decimal(38, 0)} (Decimal128): exact. */
  public BigInteger decimal128() throws IOException {
    byte[] little = in.readNBytes(16);
    if (little.length < 16) {
      throw new EOFException("a Decimal128 past the end of the answer");
    }
    byte[] big = new byte[16];
    for (int i = 0; i < 16; i++) {
      big[i] = little[15 - i];
    }
    return new BigInteger(big);
  }

  private long varint() throws IOException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("a length past the end of the answer");
      }
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("a length of more than 64 bits");
  }
}
