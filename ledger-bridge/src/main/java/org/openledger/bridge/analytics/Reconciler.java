package org.openledger.bridge.analytics;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
      try (QueryResponse response =
          client
              .query(
                  query + " FORMAT RowBinary",
                  new QuerySettings().setFormat(ClickHouseFormat.RowBinary))
              .get(120, TimeUnit.SECONDS)) {
        checks.addAll(read(response.getInputStream().readAllBytes()));
      }
    }
    return checks;
  }

  /** Rows of (String, UInt64, UInt64, Decimal128, Decimal128) in RowBinary. */
  static List<Check> read(byte[] rowBinary) throws IOException {
    List<Check> out = new ArrayList<>();
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(rowBinary));
    while (in.available() > 0) {
      String name = new String(in.readNBytes((int) varint(in)), StandardCharsets.UTF_8);
      out.add(new Check(name, uint64(in), uint64(in), decimal128(in), decimal128(in)));
    }
    return out;
  }

  private static long varint(InputStream in) throws IOException {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      int b = in.read();
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
  }

  private static long uint64(DataInputStream in) throws IOException {
    return Long.reverseBytes(in.readLong());
  }

  private static BigInteger decimal128(DataInputStream in) throws IOException {
    byte[] little = in.readNBytes(16);
    byte[] big = new byte[16];
    for (int i = 0; i < 16; i++) {
      big[i] = little[15 - i];
    }
    return new BigInteger(big);
  }
}
