package org.openledger.bridge.decode;

import java.lang.reflect.ParameterizedType;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Uint;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;

/**
 * A strict reader of the Solidity ABI encoding of one log's arguments, for the few types the
 * project's events use. Every offset and length is checked against the data before anything is read
 * or allocated, a uintN word must fit N bits, address and bool words must be clean, and strings
 * must be valid UTF-8: a log that breaks a rule is an {@link InvalidField} naming the argument,
 * never a wrong value, an exception from deep inside a library or an allocation the data does not
 * pay for.
 */
final class AbiReader {

  private static final int WORD = 32;
  private static final HexFormat HEX = HexFormat.of();

  /** The ABI types of the project's event arguments. */
  sealed interface AbiType {}

  /** {@code uint<bits>}. */
  record UintType(int bits) implements AbiType {}

  /** {@code address}, read as 0x + 40 lowercase hex. */
  record AddressType() implements AbiType {}

  /** {@code bool}. */
  record BoolType() implements AbiType {}

  /** {@code bytes32}, read as 0x + 64 lowercase hex. */
  record Bytes32Type() implements AbiType {}

  /** {@code string}, UTF-8. */
  record StringType() implements AbiType {}

  /** {@code T[]} of a one-word type. */
  record ArrayType(AbiType element) implements AbiType {}

  /**
   * A named argument of an event; {@code maxItems} bounds an array argument's length where the
   * contract caps it (checked on the length word, before anything is allocated).
   */
  record Param(String name, AbiType type, int maxItems) {
    Param(String name, AbiType type) {
      this(name, type, Integer.MAX_VALUE);
    }
  }

  /** An argument the log does not encode correctly; {@code field} names it. */
  static final class InvalidField extends RuntimeException {
    private final String field;

    InvalidField(String field, String problem) {
      super(problem, null, false, false);
      this.field = field;
    }

    String field() {
      return field;
    }
  }

  private AbiReader() {}

  /** The ABI type of a web3j wrapper's parameter; a type the events do not use is a bug here. */
  static AbiType typeOf(TypeReference<?> reference) {
    java.lang.reflect.Type type = reference.getType();
    if (type instanceof ParameterizedType p && p.getRawType() == DynamicArray.class) {
      AbiType element = typeOf((Class<?>) p.getActualTypeArguments()[0]);
      if (element instanceof StringType || element instanceof ArrayType) {
        throw new IllegalArgumentException("arrays of dynamic types are not supported: " + type);
      }
      return new ArrayType(element);
    }
    if (type instanceof Class<?> c) {
      return typeOf(c);
    }
    throw new IllegalArgumentException("unsupported ABI type " + type);
  }

  private static AbiType typeOf(Class<?> c) {
    if (c == Address.class) {
      return new AddressType();
    } else if (c == Bool.class) {
      return new BoolType();
    } else if (c == Bytes32.class) {
      return new Bytes32Type();
    } else if (c == Utf8String.class) {
      return new StringType();
    } else if (Uint.class.isAssignableFrom(c)) {
      String digits = c.getSimpleName().substring("Uint".length());
      return new UintType(digits.isEmpty() ? 256 : Integer.parseInt(digits));
    }
    throw new IllegalArgumentException("unsupported ABI type " + c.getName());
  }

  static boolean isDynamic(AbiType type) {
    return type instanceof StringType || type instanceof ArrayType;
  }

  /** An indexed argument from its topic: 0x + 64 hex digits, one word of a static type. */
  static Object readTopic(String topic, Param param) {
    if (topic.length() != 2 + 2 * WORD || !topic.startsWith("0x")) {
      throw new InvalidField(param.name(), "topic is not 32 bytes of hex");
    }
    byte[] word;
    try {
      word = HEX.parseHex(topic, 2, topic.length());
    } catch (IllegalArgumentException e) {
      throw new InvalidField(param.name(), "topic is not 32 bytes of hex");
    }
    return staticValue(word, param.type(), param.name());
  }

  /** The non-indexed arguments, in order, from the log's data. */
  static List<Object> readData(byte[] data, List<Param> params) {
    List<Object> values = new ArrayList<>(params.size());
    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      byte[] head = word(data, (long) i * WORD, p.name());
      values.add(isDynamic(p.type()) ? tail(data, head, params.size(), p) : staticValue(head, p));
    }
    return values;
  }

  private static Object staticValue(byte[] word, Param p) {
    return staticValue(word, p.type(), p.name());
  }

  private static Object staticValue(byte[] word, AbiType type, String field) {
    BigInteger value = new BigInteger(1, word);
    if (type instanceof UintType u) {
      if (value.bitLength() > u.bits()) {
        throw new InvalidField(field, value + " does not fit uint" + u.bits());
      }
      return value;
    } else if (type instanceof AddressType) {
      if (value.bitLength() > 160) {
        throw new InvalidField(field, "not an address (high bytes set)");
      }
      return "0x" + HEX.formatHex(word, 12, WORD);
    } else if (type instanceof BoolType) {
      if (value.bitLength() > 1) {
        throw new InvalidField(field, value + " is not a bool");
      }
      return value.signum() == 1;
    } else if (type instanceof Bytes32Type) {
      return "0x" + HEX.formatHex(word);
    }
    throw new IllegalArgumentException("not a one-word type: " + type);
  }

  /** A dynamic argument: its head word is the offset of its length word, after the whole head. */
  private static Object tail(byte[] data, byte[] head, int headWords, Param p) {
    BigInteger offset = new BigInteger(1, head);
    if (offset.compareTo(BigInteger.valueOf(data.length - WORD)) > 0) {
      throw new InvalidField(
          p.name(), "offset " + offset + " points outside the " + data.length + "-byte data");
    }
    long at = offset.longValueExact();
    if (at < (long) headWords * WORD || at % WORD != 0) {
      throw new InvalidField(p.name(), "offset " + at + " points into the head or off a word");
    }
    BigInteger length = new BigInteger(1, word(data, at, p.name()));
    long available = data.length - at - WORD;
    if (p.type() instanceof StringType) {
      if (length.compareTo(BigInteger.valueOf(available)) > 0
          || padded(length.longValueExact()) > available) {
        throw runsPast(p, length, at, data);
      }
      return utf8(data, (int) at + WORD, length.intValueExact(), p.name());
    }
    AbiType element = ((ArrayType) p.type()).element();
    // A capped array is measured against the contract's cap first: that is the rule it breaks.
    if (p.maxItems() < Integer.MAX_VALUE
        && length.compareTo(BigInteger.valueOf(p.maxItems())) > 0) {
      throw new InvalidField(
          p.name(), length + " items, more than the " + p.maxItems() + " the contract allows");
    }
    if (length.compareTo(BigInteger.valueOf(available / WORD)) > 0) {
      throw runsPast(p, length, at, data);
    }
    int n = length.intValueExact();
    List<Object> items = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      String field = p.name() + "[" + k + "]";
      items.add(staticValue(word(data, at + WORD + (long) k * WORD, field), element, field));
    }
    return items;
  }

  private static InvalidField runsPast(Param p, BigInteger length, long at, byte[] data) {
    return new InvalidField(
        p.name(),
        "length " + length + " at byte " + at + " runs past the " + data.length + "-byte data");
  }

  private static long padded(long length) {
    return (length + WORD - 1) / WORD * WORD;
  }

  private static byte[] word(byte[] data, long at, String field) {
    if (at + WORD > data.length) {
      throw new InvalidField(field, "the data ends at byte " + data.length);
    }
    byte[] word = new byte[WORD];
    System.arraycopy(data, (int) at, word, 0, WORD);
    return word;
  }

  private static String utf8(byte[] data, int from, int length, String field) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(data, from, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidField(field, "not valid UTF-8");
    }
  }
}
