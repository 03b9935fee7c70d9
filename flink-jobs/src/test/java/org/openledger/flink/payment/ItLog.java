package org.openledger.flink.payment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads back the lines of {@code target/it-flink.log} (log4j2-test.properties) that explain a
 * stalled job (failures, restarts, expired checkpoints), so an integration test's failure message
 * carries them.
 */
final class ItLog {
  static final Path FILE = Path.of("target", "it-flink.log");

  private ItLog() {}

  /**
   * The last {@code max} lines matching {@code regex} from the first line that names {@code marker}
   * on (this test's job: the file holds every job of the test JVM), one per line; a note when there
   * is none.
   */
  static String tailFrom(String marker, String regex, int max) {
    Pattern pattern = Pattern.compile(regex);
    try {
      List<String> all = Files.readAllLines(FILE);
      int start = 0;
      while (start < all.size() && !all.get(start).contains(marker)) {
        start++;
      }
      List<String> hits =
          all.subList(start, all.size()).stream()
              .filter(l -> l.contains(marker) || pattern.matcher(l).find())
              .toList();
      List<String> last = hits.subList(Math.max(0, hits.size() - max), hits.size());
      return last.isEmpty() ? "(no matching line)" : String.join("\n", last);
    } catch (IOException e) {
      return "(" + FILE + " unreadable: " + e + ")";
    }
  }
}
