package org.openledger.bridge.analytics;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;

/**
 * One row in ClickHouse's TabSeparated format, built column by column: text escaped, wei as plain
 * integers (never floating point), times as UTC text, arrays as literals. Both 18.16 and current
 * servers parse it.
 */
final class Tsv {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private final StringBuilder row = new StringBuilder();

  private Tsv field(String raw) {
    if (row.length() > 0) {
      row.append('\t');
    }
    row.append(escape(raw));
    return this;
  }

  Tsv text(String value) {
    return field(value == null ? "" : value);
  }

  Tsv number(long value) {
    return field(Long.toString(value));
  }

  Tsv flag(boolean value) {
    return field(value ? "1" : "0");
  }

  /** An exact integer amount (wei); Decimal(38, 0) takes its plain digits. */
  Tsv wei(BigDecimal value) {
    return field(value.toBigIntegerExact().toString());
  }

  /** Seconds since the epoch as UTC text, what a DateTime column parses on every version. */
  Tsv time(long epochSeconds) {
    return field(TIME.format(Instant.ofEpochSecond(epochSeconds)));
  }

  Tsv texts(List<String> values) {
    StringBuilder array = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      array.append(i == 0 ? "" : ",").append('\'');
      array.append(values.get(i).replace("\\", "\\\\").replace("'", "\\'")).append('\'');
    }
    return field(array.append(']').toString());
  }

  Tsv numbers(List<? extends Number> values) {
    StringBuilder array = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      array.append(i == 0 ? "" : ",").append(values.get(i).longValue());
    }
    return field(array.append(']').toString());
  }

  Tsv weis(List<BigDecimal> values) {
    StringBuilder array = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      array.append(i == 0 ? "" : ",").append(values.get(i).toBigIntegerExact());
    }
    return field(array.append(']').toString());
  }

  Tsv hex(java.nio.ByteBuffer bytes) {
    if (bytes == null) {
      return field("");
    }
    byte[] copy = new byte[bytes.remaining()];
    bytes.duplicate().get(copy);
    return field(HexFormat.of().formatHex(copy));
  }

  String line() {
    return row.append('\n').toString();
  }

  static String escape(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\0' -> out.append("\\0");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
