package org.openledger.flink.verify;

import java.util.Locale;

/**
 * The command line of {@code bin/openledger verify}, checked before anything is read: one payee
 * (with an optional batch) or one inference, and where the leaves come from. Anything odd is a
 * usage error naming what was wrong, never a query.
 *
 * @param payee lowercase {@code 0x} + 40 hex, or null
 * @param batch lowercase {@code 0x} + 64 hex, or null (only with a payee)
 * @param inference the inference id, or -1
 * @param from {@code clickhouse} (the default) or {@code kafka}
 */
record VerifyArgs(String payee, String batch, long inference, String from) {

  static final String USAGE =
      "usage: verify --payee ADDR [--batch ID] | --inference ID   [--from clickhouse|kafka]";

  /** The arguments, or an {@link IllegalArgumentException} whose message says what to fix. */
  static VerifyArgs parse(String... args) {
    String payee = null;
    String batch = null;
    String inference = null;
    String from = "clickhouse";
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException("every option takes one value\n" + USAGE);
    }
    for (int i = 0; i < args.length; i += 2) {
      String value = args[i + 1].strip();
      switch (args[i]) {
        case "--payee" -> payee = value.toLowerCase(Locale.ROOT);
        case "--batch" -> batch = value.toLowerCase(Locale.ROOT);
        case "--inference" -> inference = value;
        case "--from" -> from = value.toLowerCase(Locale.ROOT);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
      }
    }
    if ((payee == null) == (inference == null)) {
      throw new IllegalArgumentException("give either --payee or --inference\n" + USAGE);
    }
    if (!from.equals("clickhouse") && !from.equals("kafka")) {
      throw new IllegalArgumentException("--from is clickhouse or kafka, not '" + from + "'");
    }
    if (inference != null) {
      if (batch != null) {
        throw new IllegalArgumentException("--batch goes with --payee\n" + USAGE);
      }
      return new VerifyArgs(null, null, inferenceId(inference), from);
    }
    if (!payee.matches("0x[0-9a-f]{40}")) {
      throw new IllegalArgumentException(
          "--payee must be 0x and 40 hex digits, not '" + payee + "'");
    }
    if (batch != null && !batch.matches("0x[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "--batch must be 0x and 64 hex digits, not '" + batch + "'");
    }
    return new VerifyArgs(payee, batch, -1, from);
  }

  private static long inferenceId(String value) {
    if (!value.matches("[0-9]{1,19}")) {
      throw new IllegalArgumentException(
          "--inference must be an inference id (a whole number, 0 or more), not '" + value + "'");
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--inference " + value + " is too large for an id");
    }
  }
}
