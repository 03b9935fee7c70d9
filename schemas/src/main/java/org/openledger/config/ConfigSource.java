package org.openledger.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Resolves and checks keys against, in rising precedence: their defaults, an optional properties
 * file, and the environment. Every invalid value is reported at once, naming key, value and rule.
 */
public final class ConfigSource {

  private final Map<String, String> environment;
  private final Properties file;

  private ConfigSource(Map<String, String> environment, Properties file) {
    this.environment = Map.copyOf(environment);
    this.file = file;
  }

  public static ConfigSource of(Map<String, String> environment, Optional<Path> file) {
    Properties properties = new Properties();
    if (file.isPresent()) {
      try (Reader reader = Files.newBufferedReader(file.get())) {
        properties.load(reader);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read configuration file " + file.get(), e);
      }
    }
    return new ConfigSource(environment, properties);
  }

  /** Checks every key; throws one {@link IllegalArgumentException} listing all problems. */
  public void validate(List<ConfigKey<?>> keys) {
    List<String> problems = new ArrayList<>();
    for (ConfigKey<?> key : keys) {
      try {
        get(key);
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid configuration:\n  " + String.join("\n  ", problems));
    }
  }

  /**
   * Whether {@code key} is given by the environment or the file, rather than left to its default
   * (for a key whose default means "the platform decides", e.g. the cluster's parallelism).
   */
  public boolean isSet(ConfigKey<?> key) {
    return environment.containsKey(key.environmentVariable()) || file.containsKey(key.name());
  }

  public <T> T get(ConfigKey<T> key) {
    String raw = environment.get(key.environmentVariable());
    String origin = "environment " + key.environmentVariable();
    if (raw == null) {
      raw = file.getProperty(key.name());
      origin = "file";
    }
    if (raw == null) {
      raw = key.defaultValue();
      origin = "default";
    }
    if (raw == null) {
      throw new IllegalArgumentException(key.name() + " is required (" + key.description() + ")");
    }
    T value;
    try {
      value = key.parser().apply(raw);
    } catch (RuntimeException e) {
      throw invalid(key, raw, origin);
    }
    if (!key.check().test(value)) {
      throw invalid(key, raw, origin);
    }
    return value;
  }

  private static IllegalArgumentException invalid(ConfigKey<?> key, String raw, String origin) {
    String shown = key.secret() ? "<redacted>" : raw;
    return new IllegalArgumentException(
        key.name()
            + "='"
            + shown
            + "' (from "
            + origin
            + ") "
            + key.rule()
            + " ("
            + key.description()
            + ")");
  }
}
