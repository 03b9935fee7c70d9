package org.openledger.bridge.analytics;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Applies the project's DDL ({@code sql/0*.sql}, in file order) to a ClickHouse server, statement
 * by statement; every statement is {@code IF NOT EXISTS}, so applying it again changes nothing. A
 * table made by an older version of the files gets the columns added since (with their defaults),
 * so the loader's rows fit it. {@code database} replaces the files' {@code openledger} database
 * (tests use their own).
 */
public final class Ddl {

  private static final Pattern CREATE_TABLE =
      Pattern.compile("^CREATE TABLE IF NOT EXISTS ([\\w.]+)\\s*\\(");

  private Ddl() {}

  public static void apply(Client client, Path sqlDir, String database) throws Exception {
    for (String statement : statements(sqlDir, "0\\d+_.*\\.sql", database)) {
      client.execute(statement).get(60, TimeUnit.SECONDS).close();
      Matcher table = CREATE_TABLE.matcher(statement);
      if (table.find()) {
        for (String alter : missingColumns(statement, columns(client, table.group(1)))) {
          client.execute(alter).get(60, TimeUnit.SECONDS).close();
        }
      }
    }
  }

  /**
   * The {@code ALTER TABLE ... ADD COLUMN} statements that give a table the columns {@code create}
   * declares and {@code existing} lacks, each after the column it follows in {@code create} (the
   * loader writes rows by position). ClickHouse 18.16 has no {@code ADD COLUMN IF NOT EXISTS}, so
   * the check is made here; rows loaded before read the column's DEFAULT.
   */
  static List<String> missingColumns(String create, Set<String> existing) {
    Matcher table = CREATE_TABLE.matcher(create);
    if (!table.find() || existing.isEmpty()) {
      return List.of();
    }
    List<String> definitions = topLevelItems(create, table.end());
    List<String> out = new ArrayList<>();
    String previous = null;
    for (String definition : definitions) {
      String name = definition.split("\\s+", 2)[0];
      if (!existing.contains(name)) {
        out.add(
            "ALTER TABLE "
                + table.group(1)
                + " ADD COLUMN "
                + definition
                + (previous == null ? "" : " AFTER " + previous));
      }
      previous = name;
    }
    return out;
  }

  /** The comma-separated items from {@code from} to the parenthesis that closes the list. */
  private static List<String> topLevelItems(String text, int from) {
    List<String> items = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    StringBuilder item = new StringBuilder();
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'' && (i == 0 || text.charAt(i - 1) != '\\')) {
        quoted = !quoted;
      } else if (!quoted && c == '(') {
        depth++;
      } else if (!quoted && c == ')') {
        if (depth == 0) {
          break;
        }
        depth--;
      } else if (!quoted && c == ',' && depth == 0) {
        items.add(item.toString().strip());
        item.setLength(0);
        continue;
      }
      item.append(c);
    }
    if (!item.toString().isBlank()) {
      items.add(item.toString().strip());
    }
    return items;
  }

  /** The columns {@code table} ({@code db.name}) has now; empty when it does not exist. */
  private static Set<String> columns(Client client, String table) throws Exception {
    String[] name = table.split("\\.", 2);
    String query =
        "SELECT name FROM system.columns WHERE database = '"
            + name[0]
            + "' AND table = '"
            + name[1]
            + "' FORMAT TabSeparated";
    try (QueryResponse response =
        client
            .query(query, new QuerySettings().setFormat(ClickHouseFormat.TabSeparated))
            .get(60, TimeUnit.SECONDS)) {
      String body = new String(response.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return body.lines().filter(l -> !l.isBlank()).collect(Collectors.toSet());
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
