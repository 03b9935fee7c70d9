package org.openledger.replay;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * The watcher's record of every challenge it signed, by proposal ({@link Proposal#key}), written
 * and fsynced before the transaction is broadcast. A restarted watcher replays from block 0 and
 * meets every proposal again: the journal (with the chain's state) makes it report the challenge it
 * sent instead of sending another, and re-broadcast one a node dropped.
 */
final class ChallengeJournal {

  /** One signed challenge: its hash and the raw bytes, to broadcast again if a node dropped it. */
  record Entry(String batchId, String txHash, String rawTx) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, Entry>> TYPE = new TypeReference<>() {};

  private final Path file;
  private final LinkedHashMap<String, Entry> entries;

  private ChallengeJournal(Path file, LinkedHashMap<String, Entry> entries) {
    this.file = file;
    this.entries = entries;
  }

  static ChallengeJournal open(Path dir) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve("challenges.json");
      LinkedHashMap<String, Entry> loaded =
          Files.exists(file) ? JSON.readValue(file.toFile(), TYPE) : new LinkedHashMap<>();
      return new ChallengeJournal(file, loaded);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the watcher's challenges in " + dir, e);
    }
  }

  Optional<Entry> get(String proposalKey) {
    return Optional.ofNullable(entries.get(proposalKey));
  }

  int size() {
    return entries.size();
  }

  /** Records a signed challenge; returns only once it is on disk. */
  void add(String proposalKey, Entry entry) {
    entries.put(proposalKey, entry);
    save();
  }

  /** Forgets a challenge that was mined and reverted, so that the next look may decide again. */
  void remove(String proposalKey) {
    if (entries.remove(proposalKey) != null) {
      save();
    }
  }

  /** Write to a temporary file, fsync, then atomically replace: a crash leaves old or new. */
  private void save() {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(entries));
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record a challenge in " + file, e);
    }
  }
}
