package org.openledger.bridge.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * Where a scenario puts the content it commits to on chain: one file per content, named by its
 * keccak-256, so the attribution job can fetch it by {@code file://} URI and verify the hash.
 */
public final class ContentStore {

  private final Path dir;

  public ContentStore(Path dir) {
    this.dir = dir;
  }

  /** Writes {@code content} (once) and returns its {@code file://} URI. */
  public String put(byte[] content) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(Numeric.toHexStringNoPrefix(Hash.sha3(content)) + ".txt");
      if (!Files.exists(file)) {
        Files.write(file, content);
      }
      return file.toAbsolutePath().toUri().toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write content under " + dir, e);
    }
  }
}
