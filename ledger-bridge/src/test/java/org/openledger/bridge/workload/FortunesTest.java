package org.openledger.bridge.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FortunesTest {

  @Test
  void shouldSplitRecordsOnPercentLinesWhenParsingAFile() {
    String text =
        "First one.\n  -- someone\n%\n\n%\nSecond\r\n%\nFirst one.\n  -- someone\n%\nlast";

    assertThat(Fortunes.parse(text)).containsExactly("First one.\n  -- someone", "Second", "last");
  }

  @Test
  void shouldSkipRecordsTooLongToBeAPassage() {
    assertThat(Fortunes.parse("x".repeat(Fortunes.MAX_CHARS + 1) + "\n%\nshort"))
        .containsExactly("short");
  }

  @Test
  void shouldReadCategoryFilesOnlyWhenADirectoryHoldsIndexesAndLinks(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("science"), "E = mc^2\n%\nF = ma\n");
    Files.write(dir.resolve("science.dat"), new byte[] {0, 1, 2});
    Files.createSymbolicLink(dir.resolve("science.u8"), dir.resolve("science"));
    Files.write(dir.resolve("latin1"), "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
    Files.writeString(dir.resolve("empty"), "%\n%\n");

    var read = Fortunes.read(dir);

    assertThat(read).containsOnlyKeys("science", "latin1");
    assertThat(read.get("science")).containsExactly("E = mc^2", "F = ma");
    assertThat(read.get("latin1")).containsExactly("caf\uFFFD");
  }
}
