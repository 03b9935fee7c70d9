package org.openledger.schemas.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * The committed versions of every schema ({@code schemas/history/<Name>/v<N>.avsc}) and the rule
 * that guards them: the tree's schema equals its newest version, and every version can read data
 * written with every earlier one (BACKWARD, transitively). Problems name the schema and field.
 */
public final class SchemaHistory {

  private SchemaHistory() {}

  /** Every problem found for the schemas of {@code sourceDir} against {@code historyDir}. */
  public static List<String> check(Path sourceDir, Path historyDir, List<Path> sharedTypes) {
    List<String> problems = new ArrayList<>();
    for (Path source : avscFiles(sourceDir)) {
      String name = source.getFileName().toString().replace(".avsc", "");
      Schema current = parse(source, name, sharedTypes);
      List<Path> versions = versions(historyDir.resolve(name));
      if (versions.isEmpty()) {
        problems.add(name + ": no committed version; copy it to history/" + name + "/v1.avsc");
        continue;
      }
      Schema newest = parse(versions.get(versions.size() - 1), name, sharedTypes);
      if (!newest.equals(current)) {
        problems.add(
            name
                + ": differs from its newest committed version; if the change is intended, add it as history/"
                + name
                + "/v"
                + (versions.size() + 1)
                + ".avsc");
      }
      for (int reader = 1; reader < versions.size(); reader++) {
        Schema readerSchema = parse(versions.get(reader), name, sharedTypes);
        for (int writer = 0; writer < reader; writer++) {
          problems.addAll(
              incompatibilities(
                  name + " v" + (reader + 1) + " reading v" + (writer + 1),
                  readerSchema,
                  parse(versions.get(writer), name, sharedTypes)));
        }
      }
      if (!newest.equals(current)) {
        for (int writer = 0; writer < versions.size(); writer++) {
          problems.addAll(
              incompatibilities(
                  name + " (tree) reading v" + (writer + 1),
                  current,
                  parse(versions.get(writer), name, sharedTypes)));
        }
      }
    }
    return problems;
  }

  /** BACKWARD: can {@code reader} read what {@code writer} wrote? One line per incompatibility. */
  public static List<String> incompatibilities(String label, Schema reader, Schema writer) {
    var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    if (result.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
      return List.of();
    }
    List<String> lines = new ArrayList<>();
    for (Incompatibility i : result.getIncompatibilities()) {
      lines.add(
          label
              + " is not BACKWARD compatible: "
              + i.getType()
              + " at "
              + i.getLocation()
              + " ("
              + i.getMessage()
              + ")");
    }
    return lines;
  }

  /**
   * Parses {@code file} (a version of schema {@code name}) after the shared types it may use;
   * shared types are in dependency order, so those from {@code name} on are not needed.
   */
  private static Schema parse(Path file, String name, List<Path> sharedTypes) {
    Schema.Parser parser = new Schema.Parser();
    try {
      for (Path shared : sharedTypes) {
        if (shared.getFileName().toString().equals(name + ".avsc")) {
          break;
        }
        parser.parse(shared.toFile());
      }
      return parser.parse(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> avscFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> versions(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    return avscFiles(dir).stream()
        .sorted(Comparator.comparingInt(SchemaHistory::versionNumber))
        .toList();
  }

  private static int versionNumber(Path file) {
    String name = file.getFileName().toString();
    return Integer.parseInt(name.substring(1, name.length() - ".avsc".length()));
  }
}
