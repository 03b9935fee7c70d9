package org.openledger.bridge.bench;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openledger.bridge.analytics.Ddl;
import org.openledger.bridge.analytics.LoaderApp;

/**
 * {@code bin/openledger bench loader [rows]}: ClickHouse's side of the loader on the local server,
 * loading accrual rows in the loader's TabSeparated batches into a scratch database, then the
 * latency of a few query-pack shapes over them (FINAL, grouped, joined). A report, not a test.
 */
public final class LoaderBenchmark {

  private LoaderBenchmark() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    int batch = 100_000;
    String url = System.getenv().getOrDefault("OPENLEDGER_CLICKHOUSE_URL", "http://127.0.0.1:8123");
    String sql = System.getenv().getOrDefault("OPENLEDGER_SQL_DIR", "sql");
    String db = "bench_" + Long.toString(System.nanoTime(), 36);
    try (Client client = LoaderApp.client(url)) {
      Ddl.apply(client, Path.of(sql), db);
      try {
        long started = System.nanoTime();
        for (long from = 0; from < rows; from += batch) {
          StringBuilder tsv = new StringBuilder(batch * 200);
          for (long i = from; i < Math.min(rows, from + batch); i++) {
            long inference = i / 7;
            long block = inference / 50;
            int role = (int) (i % 7) < 5 ? 0 : (int) (i % 7) - 4;
            tsv.append("1337\t")
                .append(block)
                .append("\t0x")
                .append(Long.toHexString(block))
                .append("\t2026-11-25 00:00:00\t0xt\t0\t0\t")
                .append(inference)
                .append("\t1\t0x")
                .append(String.format("%040x", i % 50_000))
                .append('\t')
                .append(role == 0 ? "CONTRIBUTOR" : role == 1 ? "MODEL_OWNER" : "PROTOCOL")
                .append('\t')
                .append(role == 0 ? i : 0)
                .append("\t0\t")
                .append(1_000_000_000_000L + i)
                .append("\t1\t0\t")
                .append(i)
                .append("\t0\n"); // _offset, _timestamp_ms
          }
          client
              .insert(
                  db + ".payout_accruals",
                  new ByteArrayInputStream(tsv.toString().getBytes(StandardCharsets.UTF_8)),
                  ClickHouseFormat.TabSeparated)
              .get(600, TimeUnit.SECONDS)
              .close();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
            "loaded %,d accrual rows in %.1f s: %,.0f rows/s (TabSeparated batches of %,d)%n",
            rows, seconds, rows / seconds, batch);
        List<String[]> queries =
            List.of(
                new String[] {
                  "pending per payee (accrued side, FINAL, grouped)",
                  "SELECT payee, sum(amount_wei) FROM "
                      + db
                      + ".accruals GROUP BY payee ORDER BY payee LIMIT 10"
                },
                new String[] {
                  "contributor earnings per day (view)",
                  "SELECT * FROM "
                      + db
                      + ".contributor_earnings_daily ORDER BY day, contributor LIMIT 10"
                },
                new String[] {
                  "accruals of one inference, through the accruals view",
                  "SELECT payee, role, amount_wei FROM "
                      + db
                      + ".accruals WHERE inference_id = 12345"
                },
                new String[] {
                  "accruals of one inference, on the table (attribution_of_inference.sql)",
                  "SELECT payee, role, amount_wei FROM "
                      + db
                      + ".payout_accruals FINAL WHERE removed = 0 AND inference_id = 12345"
                },
                new String[] {
                  "accrued per payee without FINAL (what FINAL costs; not replay-safe)",
                  "SELECT payee, sum(amount_wei) FROM "
                      + db
                      + ".payout_accruals WHERE removed = 0 GROUP BY payee ORDER BY payee LIMIT 10"
                },
                new String[] {
                  "fees = contributor + owner + protocol per 1000 blocks (accrued side)",
                  "SELECT intDiv(block_number, 1000) AS b, sum(amount_wei) FROM "
                      + db
                      + ".accruals GROUP BY b ORDER BY b LIMIT 10"
                });
        for (String[] q : queries) {
          long best = Long.MAX_VALUE;
          for (int run = 0; run < 3; run++) {
            long t = System.nanoTime();
            try (QueryResponse response =
                client
                    .query(
                        q[1] + " FORMAT RowBinary",
                        new QuerySettings().setFormat(ClickHouseFormat.RowBinary))
                    .get(600, TimeUnit.SECONDS)) {
              response.getInputStream().readAllBytes();
            }
            best = Math.min(best, System.nanoTime() - t);
          }
          System.out.printf("  %-72s best of 3: %6.0f ms%n", q[0], best / 1e6);
        }
      } finally {
        client.execute("DROP DATABASE IF EXISTS " + db).get(600, TimeUnit.SECONDS).close();
      }
    }
  }
}
