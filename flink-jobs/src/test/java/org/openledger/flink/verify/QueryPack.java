package org.openledger.flink.verify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Runs the analysts' SQL files as an analyst would, over ClickHouse's HTTP interface, against one
 * test database: comment lines dropped, statements split on semicolons, {@code openledger.} pointed
 * at the test's database, each statement's TabSeparated answer appended in file order.
 */
final class QueryPack {

  private final HttpClient http = HttpClient.newHttpClient();
  private final URI clickhouse;
  private final String database;

  QueryPack(URI clickhouse, String database) {
    this.clickhouse = clickhouse;
    this.database = database;
  }

  /** Every statement of {@code file}, answered in TabSeparated, concatenated. */
  String run(Path file) throws IOException, InterruptedException {
    String text =
        Files.readString(file)
            .lines()
            .filter(l -> !l.stripLeading().startsWith("--"))
            .collect(Collectors.joining("\n"));
    StringBuilder out = new StringBuilder();
    for (String statement : text.split(";")) {
      if (!statement.isBlank()) {
        out.append(query(statement.replace("openledger.", database + ".")));
      }
    }
    return out.toString();
  }

  /** One statement's answer in TabSeparated; throws with ClickHouse's message on an error. */
  String query(String sql) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(clickhouse)
                .POST(HttpRequest.BodyPublishers.ofString(sql + " FORMAT TabSeparated"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(response.body() + "\n" + sql);
    }
    return response.body();
  }
}
