package org.openledger.config;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key: its name, default, what it means and the check its value must pass. The
 * environment variable of a key is {@code OPENLEDGER_} + the name upper-cased with dots as
 * underscores, so {@code kafka.bootstrap} is {@code OPENLEDGER_KAFKA_BOOTSTRAP}.
 */
public record ConfigKey<T>(
    String name,
    String defaultValue,
    String description,
    Function<String, T> parser,
    Predicate<T> check,
    String rule,
    boolean secret) {

  /** A key whose value may be printed in errors. */
  public ConfigKey(
      String name,
      String defaultValue,
      String description,
      Function<String, T> parser,
      Predicate<T> check,
      String rule) {
    this(name, defaultValue, description, parser, check, rule, false);
  }

  public ConfigKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(parser, "parser");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(rule, "rule");
  }

  public static ConfigKey<String> string(String name, String defaultValue, String description) {
    return new ConfigKey<>(
        name, defaultValue, description, String::trim, s -> !s.isEmpty(), "must not be empty");
  }

  /** A key, a password or a token: its value never appears in an error or a log. */
  public static ConfigKey<String> secret(String name, String description) {
    return new ConfigKey<>(name, "", description, String::trim, s -> true, "", true);
  }

  public static ConfigKey<Integer> port(String name, int defaultValue, String description) {
    return new ConfigKey<>(
        name,
        Integer.toString(defaultValue),
        description,
        s -> Integer.valueOf(s.trim()),
        p -> p >= 1 && p <= 65535,
        "must be a TCP port (1-65535)");
  }

  public static ConfigKey<Long> atLeast(
      String name, long defaultValue, long min, String description) {
    return new ConfigKey<>(
        name,
        Long.toString(defaultValue),
        description,
        s -> Long.valueOf(s.trim()),
        v -> v >= min,
        "must be an integer >= " + min);
  }

  /** The environment variable that overrides this key. */
  public String environmentVariable() {
    return "OPENLEDGER_"
        + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
