package org.openledger.bridge.workload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads the data files of Debian's {@code fortunes} packages: one file per category, records
 * separated by lines holding a single {@code %}. The demo's real text: each category becomes a
 * Datanet, each record a contribution.
 */
public final class Fortunes {

  /** Records longer than this are skipped: a contribution is a passage, not a book. */
  static final int MAX_CHARS = 600;

  private Fortunes() {}

  /** Every category file of {@code dir} (no {@code .dat} index, no {@code .u8} link), by name. */
  public static Map<String, List<String>> read(Path dir) throws IOException {
    Map<String, List<String>> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.contains(".") || !Files.isRegularFile(f) || Files.isSymbolicLink(f)) {
          continue;
        }
        List<String> records = parse(decode(Files.readAllBytes(f)));
        if (!records.isEmpty()) {
          out.put(name, records);
        }
      }
    }
    return out;
  }

  /** The records of one file's text: trimmed, non-empty, at most {@link #MAX_CHARS}, once each. */
  public static List<String> parse(String text) {
    Set<String> records = new LinkedHashSet<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\r?\n", -1)) {
      if (line.equals("%")) {
        add(records, current);
        current.setLength(0);
      } else {
        current.append(line).append('\n');
      }
    }
    add(records, current);
    return new ArrayList<>(records);
  }

  private static void add(Set<String> records, StringBuilder record) {
    String r = record.toString().strip();
    if (!r.isEmpty() && r.length() <= MAX_CHARS) {
      records.add(r);
    }
  }

  /** UTF-8 where it is (Debian's files are), anything else replaced rather than refused. */
  private static String decode(byte[] bytes) throws IOException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }
}
