package org.openledger.bridge.analytics;

import com.clickhouse.client.api.Client;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Applies the project's DDL ({@code sql/0*.sql}, in file order) to a ClickHouse server, statement
 * by statement; every statement is {@code IF NOT EXISTS}, so applying it again changes nothing.
 * {@code database} replaces the files' {@code openledger} database (tests use their own).
 */
public final class Ddl {

  private Ddl() {}

  public static void apply(Client client, Path sqlDir, String database) throws Exception {
    for (String statement : statements(sqlDir, "0\\d+_.*\\.sql", database)) {
      client.execute(statement).get(60, TimeUnit.SECONDS).close();
    }
  }

  /** A SQL file's text without its comment lines (statements never hold "--" in a literal). */
  static String withoutComments(Path file) throws IOException {
    StringBuilder text = new StringBuilder();
    for (String line : Files.readAllLines(file)) {
      if (!line.stripLeading().startsWith("--")) {
        text.append(line).append('\n');
      }
    }
    return text.toString();
  }

  /**
   * The statements of the files in {@code dir} whose names match {@code pattern} (all {@code .sql}
   * files when empty), in name order, comment lines dropped, the database renamed.
   */
  public static List<String> statements(Path dir, String pattern, String database)
      throws IOException {
    String names = pattern.isEmpty() ? ".*\\.sql" : pattern;
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().matches(names)).sorted().toList();
    }
    List<String> out = new ArrayList<>();
    for (Path file : files) {
      for (String statement : withoutComments(file).split(";")) {
        String s = statement.strip();
        if (!s.isEmpty()) {
          out.add(
              s.replace("openledger.", database + ".")
                  .replace(
                      "DATABASE IF NOT EXISTS openledger", "DATABASE IF NOT EXISTS " + database));
        }
      }
    }
    return out;
  }
}
