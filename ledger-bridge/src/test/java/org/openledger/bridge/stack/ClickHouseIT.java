package org.openledger.bridge.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openledger.testing.LocalStack;

/**
 * The real ClickHouse server started by {@code bin/openledger up} creates, inserts and selects
 * through the project's Java client, with wei amounts kept exact in Decimal(38,0).
 */
class ClickHouseIT {

  private final Client client =
      new Client.Builder()
          .addEndpoint(LocalStack.clickhouseUrl().toString())
          .setUsername("default")
          .setPassword("")
          .compressServerResponse(false)
          .build();

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void shouldRoundTripExactWeiAmountsThroughATable() throws Exception {
    String table = LocalStack.unique("probe").replace('-', '_');
    client
        .execute(
            "CREATE TABLE "
                + table
                + " (payee String, amount_wei Decimal(38, 0)) ENGINE = MergeTree ORDER BY payee")
        .get(30, TimeUnit.SECONDS)
        .close();
    try {
      String rows = "0xaaa\t123456789012345678901234567890\n0xbbb\t1\n";
      client
          .insert(
              table,
              new ByteArrayInputStream(rows.getBytes(StandardCharsets.UTF_8)),
              ClickHouseFormat.TabSeparated)
          .get(30, TimeUnit.SECONDS)
          .close();

      assertThat(
              select(
                  "SELECT payee FROM " + table + " ORDER BY payee", ClickHouseFormat.TabSeparated))
          .isEqualTo("0xaaa\n0xbbb\n");
      assertThat(decimal128s(select("SELECT amount_wei FROM " + table + " ORDER BY payee")))
          .containsExactly(new BigInteger("123456789012345678901234567890"), BigInteger.ONE);
      assertThat(decimal128s(select("SELECT sum(amount_wei) FROM " + table)))
          .containsExactly(new BigInteger("123456789012345678901234567891"));
    } finally {
      client.execute("DROP TABLE IF EXISTS " + table).get(30, TimeUnit.SECONDS).close();
    }
  }

  private String select(String sql, ClickHouseFormat format) throws Exception {
    return new String(selectBytes(sql, format), StandardCharsets.UTF_8);
  }

  /**
   * Decimal(38,0) is read in RowBinary (16-byte little-endian two's complement): 18.16 prints a few
   * Decimal128 values with NUL bytes in text formats, while the stored value is exact.
   */
  private byte[] select(String sql) throws Exception {
    return selectBytes(sql, ClickHouseFormat.RowBinary);
  }

  private byte[] selectBytes(String sql, ClickHouseFormat format) throws Exception {
    // 18.16 answers in the format the SQL names; the settings tell the client what to expect.
    QuerySettings settings = new QuerySettings().setFormat(format);
    try (QueryResponse response =
        client.query(sql + " FORMAT " + format.name(), settings).get(30, TimeUnit.SECONDS)) {
      return response.getInputStream().readAllBytes();
    }
  }

  private static List<BigInteger> decimal128s(byte[] rowBinary) {
    List<BigInteger> values = new ArrayList<>();
    for (int offset = 0; offset < rowBinary.length; offset += 16) {
      byte[] bigEndian = new byte[16];
      for (int i = 0; i < 16; i++) {
        bigEndian[i] = rowBinary[offset + 15 - i];
      }
      values.add(new BigInteger(bigEndian));
    }
    return values;
  }
}
