package org.openledger.flink.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {

  @TempDir Path dir;

  private Path checkpoint(String job, int n, long modifiedSeconds, boolean complete)
      throws Exception {
    Path chk = Files.createDirectories(dir.resolve(job).resolve("chk-" + n));
    if (complete) {
      Path metadata = Files.writeString(chk.resolve("_metadata"), "m");
      Files.setLastModifiedTime(metadata, FileTime.fromMillis(modifiedSeconds * 1000));
    }
    return chk;
  }

  @Test
  void shouldFindNothingWhenTheFolderIsMissingOrEmpty() throws Exception {
    assertThat(Checkpoints.latestCompleted(dir.resolve("missing"))).isEmpty();
    Files.createDirectories(dir.resolve("job").resolve("shared"));
    assertThat(Checkpoints.latestCompleted(dir)).isEmpty();
  }

  @Test
  void shouldResumeFromTheNewestCompletedCheckpointAcrossRunsWhenTheLastWasCutShort()
      throws Exception {
    checkpoint("run-1", 7, 100, true);
    Path newest = checkpoint("run-2", 3, 200, true);
    checkpoint("run-2", 4, 300, false); // the crash came mid-checkpoint: no _metadata

    assertThat(Checkpoints.latestCompleted(dir)).contains(newest);
  }
}
