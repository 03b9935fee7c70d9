package org.openledger.flink.verify;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A query with typed placeholders written as ClickHouse's own query parameters ({@code
 * {name:Type}}), bound on the client because the project's server (18.16) predates server-side
 * parameters. A value is rendered only after its type's check has passed, so nothing a user typed
 * reaches the SQL except decimal digits and lowercase hex: an odd value is an error, never text.
 */
final class BoundSql {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+):([A-Za-z0-9]+)\\}");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

  private final String template;
  private final Map<String, String> literals = new HashMap<>();

  private BoundSql(String template) {
    this.template = template;
  }

  /**
   * A query over tables of {@code database} ({@code db.} in the template): the database name comes
   * from configuration, and must still be a plain identifier.
   */
  static BoundSql of(String template, String database) {
    if (!IDENTIFIER.matcher(database).matches()) {
      throw new IllegalArgumentException("not a database name: " + database);
    }
    return new BoundSql(template.replace("db.", database + "."));
  }

  /** Binds a {@code UInt64}: an id is a number, 0 or more. */
  BoundSql uint64(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be 0 or more, not " + value);
    }
    return put(name, "UInt64", Long.toString(value));
  }

  /** Binds an address ({@code 0x} + 40 hex) as a lowercase string literal. */
  BoundSql address(String name, String value) {
    return put(name, "Address", quotedHex(name, value, 40));
  }

  /** Binds a 32-byte hash ({@code 0x} + 64 hex), such as a batch id, as a string literal. */
  BoundSql bytes32(String name, String value) {
    return put(name, "Bytes32", quotedHex(name, value, 64));
  }

  /** The query with every placeholder replaced; fails on one left unbound. */
  String render() {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String literal = literals.get(m.group(1) + ":" + m.group(2));
      if (literal == null) {
        throw new IllegalStateException("unbound " + m.group());
      }
      m.appendReplacement(out, Matcher.quoteReplacement(literal));
    }
    m.appendTail(out);
    return out.toString();
  }

  private BoundSql put(String name, String type, String literal) {
    if (!template.contains("{" + name + ":" + type + "}")) {
      throw new IllegalArgumentException("no {" + name + ":" + type + "} in the query");
    }
    literals.put(name + ":" + type, literal);
    return this;
  }

  private static String quotedHex(String name, String value, int digits) {
    String v = value == null ? "" : value.toLowerCase(Locale.ROOT);
    if (!v.matches("0x[0-9a-f]{" + digits + "}")) {
      throw new IllegalArgumentException(name + " must be 0x and " + digits + " hex digits");
    }
    return "'" + v + "'";
  }
}
