package org.openledger.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import java.util.concurrent.TimeUnit;

/**
 * The one way the project talks to ClickHouse: its HTTP interface through the official Java client,
 * set up the way the server the project runs (18.16) needs. The loader, the reconciliation and
 * {@code bin/openledger verify} all build their client here.
 */
public final class ClickHouseHttp {

  private ClickHouseHttp() {}

  /** A client of the server at {@code url} (e.g. {@code http://127.0.0.1:8123}). */
  public static Client client(String url) {
    // 18.16: plain responses (ClickHouse's own compression returns an empty body there).
    return new Client.Builder()
        .addEndpoint(url)
        .setUsername("default")
        .setPassword("")
        .compressServerResponse(false)
        .build();
  }

  /**
   * The answer of {@code query} (no {@code FORMAT} clause) in RowBinary, which keeps Decimal128
   * exact where 18.16's text formats garble a few values.
   */
  public static byte[] rowBinary(Client client, String query, long timeoutSeconds)
      throws Exception {
    try (QueryResponse response =
        client
            .query(
                query + " FORMAT RowBinary",
                new QuerySettings().setFormat(ClickHouseFormat.RowBinary))
            .get(timeoutSeconds, TimeUnit.SECONDS)) {
      return response.getInputStream().readAllBytes();
    }
  }
}
