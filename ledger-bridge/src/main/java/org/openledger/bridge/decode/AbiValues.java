package org.openledger.bridge.decode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Array;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.utils.Numeric;

/**
 * Converts decoded ABI values to the exact types of the Avro schemas: uint256 amounts stay exact
 * (decimal, scale 0), counters become {@code long} only when they fit, addresses and bytes32 are
 * lowercase 0x-hex. A value that does not fit is an {@link IllegalArgumentException}.
 */
final class AbiValues {

  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private AbiValues() {}

  static BigInteger uint(Type<?> value) {
    return (BigInteger) value.getValue();
  }

  /** A uint256 amount, exact, as the Avro decimal(78,0) value. */
  static BigDecimal amount(Type<?> value) {
    return new BigDecimal(uint(value));
  }

  /** A counter (id, version, block count): must fit a signed 64-bit integer. */
  static long id(Type<?> value, String field) {
    BigInteger v = uint(value);
    if (v.signum() < 0 || v.compareTo(LONG_MAX) > 0) {
      throw new IllegalArgumentException(field + " " + v + " does not fit a 64-bit id");
    }
    return v.longValue();
  }

  static int smallInt(Type<?> value, String field) {
    long v = id(value, field);
    if (v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(field + " " + v + " does not fit a 32-bit integer");
    }
    return (int) v;
  }

  static String address(Type<?> value) {
    return ((Address) value).getValue().toLowerCase(Locale.ROOT);
  }

  static String bytes32(Type<?> value) {
    return Numeric.toHexString(((Bytes32) value).getValue());
  }

  static String string(Type<?> value) {
    return ((Utf8String) value).getValue();
  }

  static boolean bool(Type<?> value) {
    return ((Bool) value).getValue();
  }

  @SuppressWarnings("unchecked")
  static List<Type<?>> list(Type<?> value) {
    return ((Array<Type<?>>) value).getValue();
  }
}
