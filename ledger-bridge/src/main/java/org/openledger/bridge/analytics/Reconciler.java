package org.openledger.bridge.analytics;

import com.clickhouse.client.api.Client;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.openledger.clickhouse.ClickHouseHttp;
import org.openledger.clickhouse.RowBinary;

/**
 * Runs the reconciliation checks of {@code sql/reconcile/*.sql} for a block range: each check is
 * one query returning (check, range start, range end, expected wei, actual wei) rows, read in
 * RowBinary so amounts stay exact on 18.16 (whose text output garbles a few Decimal128 values).
 */
public final class Reconciler {

  /** One checked range: it passes when the two exact amounts are equal. */
  public record Check(String name, long from, long to, BigInteger expected, BigInteger actual) {
    public boolean passed() {
      return expected.equals(actual);
    }
  }

  private final Client client;
  private final Path dir;
  private final String database;

  public Reconciler(Client client, Path reconcileDir, String database) {
    this.client = client;
    this.dir = reconcileDir;
    this.database = database;
  }

  public List<Check> run(long from, long to, long step) throws Exception {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
    }
    List<Check> checks = new ArrayList<>();
    for (Path file : files) {
      String query =
          Ddl.withoutComments(file)
              .replace("{from}", Long.toString(from))
              .replace("{to}", Long.toString(to))
              .replace("{step}", Long.toString(step))
              .replace("openledger.", database + ".")
              .strip();
      checks.addAll(read(ClickHouseHttp.rowBinary(client, query, 120)));
    }
    return checks;
  }

  /** Rows of (String, UInt64, UInt64, Decimal128, Decimal128) in RowBinary. */
  static List<Check> read(byte[] rowBinary) throws IOException {
    List<Check> out = new ArrayList<>();
    RowBinary in = new RowBinary(rowBinary);
    while (in.hasMore()) {
      out.add(new Check(in.string(), in.uint64(), in.uint64(), in.decimal128(), in.decimal128()));
    }
    return out;
  }
}
