package org.openledger.bridge.decode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openledger.bridge.decode.AbiReader.InvalidField;

/**
 * The decoded arguments of one log, by name, with the checked conversions onto the Avro fields.
 * Every conversion states what a value must be for the pipeline to carry it without loss or crash
 * (ids from 1 and within {@code long}, amounts within what every consumer holds exactly, no zero
 * address where someone acts or is paid, numbers within their rule); a value outside is an {@link
 * InvalidField} naming the argument, so the log is dead-lettered, never turned into a wrong event.
 */
final class AbiValues {

  /**
   * The largest amount of wei every consumer carries exactly: ClickHouse's {@code Decimal(38, 0)}.
   * The whole OPEN supply is 10^27 wei, so every amount that moved tokens is far below it; only a
   * number someone merely states (a Datanet's minimum stake) could pass it.
   */
  static final BigInteger MAX_WEI = BigInteger.TEN.pow(38).subtract(BigInteger.ONE);

  /** InputLimits.sol MAX_ENCODER_BYTES. */
  static final int MAX_ENCODER_BYTES = 64;

  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
  private static final String ZERO_ADDRESS = "0x" + "0".repeat(40);

  private final Map<String, Object> byName;

  AbiValues(Map<String, Object> byName) {
    this.byName = Map.copyOf(byName);
  }

  /** An on-chain counter: 1, 2, ... (no contract hands out id 0) up to {@code Long.MAX_VALUE}. */
  long id(String field) {
    return id(uint(field), field);
  }

  /** Each element an id, as {@link #id(String)}; the list not empty. */
  List<Long> ids(String field) {
    List<Object> items = list(field);
    if (items.isEmpty()) {
      throw new InvalidField(field, "empty");
    }
    List<Long> ids = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      ids.add(id((BigInteger) items.get(i), field + "[" + i + "]"));
    }
    return ids;
  }

  /** A number within {@code min..max}, both inclusive. */
  long longIn(String field, long min, long max) {
    BigInteger v = uint(field);
    if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
      throw new InvalidField(field, v + " is outside " + min + ".." + max);
    }
    return v.longValue();
  }

  int intIn(String field, int min, int max) {
    return (int) longIn(field, min, max);
  }

  /** An amount of wei, exact, at most {@link #MAX_WEI}. */
  BigDecimal wei(String field) {
    return new BigDecimal(wei(uint(field), field));
  }

  List<BigInteger> weis(String field) {
    List<Object> items = list(field);
    List<BigInteger> amounts = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      amounts.add(wei((BigInteger) items.get(i), field + "[" + i + "]"));
    }
    return amounts;
  }

  /** Any address (e.g. a curator the owner names; the contract does not forbid zero there). */
  String address(String field) {
    return (String) get(field);
  }

  /** The address of someone who acts or is paid: never the zero address. */
  String party(String field) {
    return party(address(field), field);
  }

  List<String> parties(String field) {
    List<Object> items = list(field);
    List<String> parties = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      parties.add(party((String) items.get(i), field + "[" + i + "]"));
    }
    return parties;
  }

  String bytes32(String field) {
    return (String) get(field);
  }

  String string(String field) {
    return (String) get(field);
  }

  /**
   * An encoder id as ModelRegistry takes it: at most {@link #MAX_ENCODER_BYTES} of {@code
   * [a-z0-9.-]}, empty for the pipeline's default. It becomes a metric label and a log word.
   */
  String encoderId(String field) {
    String v = string(field);
    check(v.length() <= MAX_ENCODER_BYTES, field, v.length() + " bytes, over " + MAX_ENCODER_BYTES);
    check(v.chars().allMatch(AbiValues::encoderChar), field, "not [a-z0-9.-]");
    return v;
  }

  private static boolean encoderChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  }

  boolean bool(String field) {
    return (Boolean) get(field);
  }

  int size(String field) {
    return list(field).size();
  }

  /** A rule across fields that the log breaks; {@code field} is the one that tips it. */
  static void check(boolean holds, String field, String problem) {
    if (!holds) {
      throw new InvalidField(field, problem);
    }
  }

  private static long id(BigInteger v, String field) {
    if (v.signum() == 0) {
      throw new InvalidField(field, "0 is not an id (ids start at 1)");
    }
    if (v.compareTo(LONG_MAX) > 0) {
      throw new InvalidField(field, v + " does not fit a 64-bit id");
    }
    return v.longValue();
  }

  private static BigInteger wei(BigInteger v, String field) {
    if (v.compareTo(MAX_WEI) > 0) {
      throw new InvalidField(
          field, v + " wei is more than the 10^38 - 1 the pipeline carries exactly");
    }
    return v;
  }

  private static String party(String address, String field) {
    if (ZERO_ADDRESS.equals(address)) {
      throw new InvalidField(field, "the zero address");
    }
    return address;
  }

  private BigInteger uint(String field) {
    return (BigInteger) get(field);
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(String field) {
    return (List<Object>) get(field);
  }

  private Object get(String field) {
    Object value = byName.get(field);
    if (value == null) {
      throw new IllegalStateException("the event has no argument " + field);
    }
    return value;
  }
}
