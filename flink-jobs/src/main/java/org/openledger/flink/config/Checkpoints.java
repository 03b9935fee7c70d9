package org.openledger.flink.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds where the embedded mini-cluster resumes after a crash: the newest completed checkpoint
 * under the checkpoint folder ({@code <job id>/chk-<n>/_metadata}). A checkpoint the crash cut
 * short has no {@code _metadata} and is passed over. The job's state (indexes, ledgers, open
 * windows) and its Kafka offsets and transactions then continue from there, exactly once.
 */
public final class Checkpoints {

  private Checkpoints() {}

  /** The newest {@code chk-<n>} folder holding a {@code _metadata} file, if any. */
  public static Optional<Path> latestCompleted(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> jobs = Files.list(dir)) {
      return jobs.filter(Files::isDirectory)
          .flatMap(Checkpoints::completed)
          .max(Comparator.comparing(Checkpoints::modified).thenComparing(Checkpoints::number))
          .map(Path::getParent);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints under " + dir, e);
    }
  }

  private static Stream<Path> completed(Path job) {
    try (Stream<Path> chks = Files.list(job)) {
      return chks
          .filter(c -> c.getFileName().toString().matches("chk-\\d+"))
          .map(c -> c.resolve("_metadata"))
          .filter(Files::isRegularFile)
          .toList()
          .stream();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints under " + job, e);
    }
  }

  private static FileTime modified(Path metadata) {
    try {
      return Files.getLastModifiedTime(metadata);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long number(Path metadata) {
    return Long.parseLong(metadata.getParent().getFileName().toString().substring(4));
  }
}
