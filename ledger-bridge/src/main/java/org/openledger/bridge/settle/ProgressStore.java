package org.openledger.bridge.settle;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openledger.bridge.domain.settle.Attempt;

/**
 * The settlement writer's own progress record: every signed transaction, written (and fsynced)
 * before it is broadcast, until its batch is done. With the chain's {@code isSettled} it makes a
 * restart after a crash at any point find what the last run sent instead of paying again.
 */
final class ProgressStore {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, List<Attempt>>> TYPE =
      new TypeReference<>() {};

  private final Path file;
  private final LinkedHashMap<String, List<Attempt>> attempts;

  private ProgressStore(Path file, LinkedHashMap<String, List<Attempt>> attempts) {
    this.file = file;
    this.attempts = attempts;
  }

  static ProgressStore open(Path dir) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve("settlement-progress.json");
      LinkedHashMap<String, List<Attempt>> loaded =
          Files.exists(file) ? JSON.readValue(file.toFile(), TYPE) : new LinkedHashMap<>();
      return new ProgressStore(file, loaded);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the settlement progress in " + dir, e);
    }
  }

  List<Attempt> attempts(String batchId) {
    return List.copyOf(attempts.getOrDefault(batchId, List.of()));
  }

  /** The next nonce this writer has not used yet (from every batch still in flight). */
  long nextNonce() {
    long next = 0;
    for (List<Attempt> list : attempts.values()) {
      for (Attempt a : list) {
        next = Math.max(next, a.nonce() + 1);
      }
    }
    return next;
  }

  void add(String batchId, Attempt attempt) {
    attempts.computeIfAbsent(batchId, k -> new ArrayList<>()).add(attempt);
    save();
  }

  void done(String batchId) {
    if (attempts.remove(batchId) != null) {
      save();
    }
  }

  Map<String, List<Attempt>> all() {
    return Map.copyOf(attempts);
  }

  /** Write to a temporary file, fsync, then atomically replace: a crash leaves old or new. */
  private void save() {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, JSON.writeValueAsBytes(attempts));
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record settlement progress in " + file, e);
    }
  }
}
