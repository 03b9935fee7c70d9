package org.openledger.bridge.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openledger.testing.LocalStack;

/**
 * The reconciliation SQL on the real ClickHouse 18.16: a consistent ledger (three fees split to the
 * wei, a batch settled on chain paying two of them, one pending) passes every check; one tampered
 * accrual fails the checks of its block range, and names it.
 */
class ReconcileIT {

  private final Client client = LoaderApp.client(LocalStack.clickhouseUrl().toString());
  private final String database = LocalStack.unique("reconcile").replace('-', '_');

  @AfterEach
  void drop() throws Exception {
    client.execute("DROP DATABASE IF EXISTS " + database).get(60, TimeUnit.SECONDS).close();
    client.close();
  }

  @Test
  void shouldPassOnAConsistentLedgerAndNameTheRangeOfATamperedRecord() throws Exception {
    Ddl.apply(client, Path.of("..", "sql"), database);
    StringBuilder fees = new StringBuilder();
    StringBuilder accruals = new StringBuilder();
    int offset = 0;
    for (int i = 1; i <= 3; i++) {
      fees.append(
          row(
              10 + i,
              i,
              "1337\t%d\t0xb%d\t2026-11-25 00:00:00\t0xt\t0\t0\t%d\t1\t0xpayer\t1000\t0xq\turi\t0\t%d"));
      accruals.append(accrual(10 + i, i, "0xc", "CONTRIBUTOR", i, 700, offset++));
      accruals.append(accrual(10 + i, i, "0xo", "MODEL_OWNER", 0, 200, offset++));
      accruals.append(accrual(10 + i, i, "0xt", "PROTOCOL", 0, 100, offset++));
    }
    insert("inference_paid", fees.toString());
    insert("payout_accruals", accruals.toString());
    insert(
        "payout_batches",
        "0xbatch\t1337\t10\t19\t0\t1\t['0xc','0xo','0xt']\t[1400,400,200]\t2000\t0xroot\t0\t0\n");
    StringBuilder leaves = new StringBuilder();
    int k = 0;
    for (int i = 1; i <= 2; i++) {
      leaves.append(leaf(i, "0xc", "CONTRIBUTOR", i, 700, k++));
      leaves.append(leaf(i, "0xo", "MODEL_OWNER", 0, 200, k++));
      leaves.append(leaf(i, "0xt", "PROTOCOL", 0, 100, k++));
    }
    insert("payout_batch_leaves", leaves.toString());
    insert(
        "batch_settled",
        "1337\t30\t0xb30\t2026-11-25 00:00:00\t0xt\t1\t0\t0xbatch\t0xroot\t2000"
            + "\t['0xc','0xo','0xt']\t[1400,400,200]\t0\t0\n");

    Reconciler reconciler = new Reconciler(client, Path.of("..", "sql", "reconcile"), database);
    List<Reconciler.Check> clean = reconciler.run(0, 1_000, 10);
    assertThat(clean).hasSize(4).allMatch(Reconciler.Check::passed);
    assertThat(ReconcileApp.print(clean)).isTrue();

    // Someone rewrites inference 1's contributor accrual (same key, a later version): one wei more.
    insert("payout_accruals", accrual(11, 1, "0xc", "CONTRIBUTOR", 1, 701, 99));
    List<Reconciler.Check> tampered = reconciler.run(0, 1_000, 10);
    assertThat(ReconcileApp.print(tampered)).isFalse();
    assertThat(tampered)
        .filteredOn(c -> !c.passed())
        .extracting(c -> c.name() + " " + c.from() + ".." + c.to())
        .containsExactlyInAnyOrder(
            "fees = contributor + owner + protocol 10..19", "accrued = settled + pending 10..19");
  }

  private static String row(long block, long id, String format) {
    return String.format(format, block, block, id, id) + "\n";
  }

  private static String accrual(
      long block,
      long inference,
      String payee,
      String role,
      long contribution,
      long wei,
      int offset) {
    return String.join(
            "\t",
            "1337",
            Long.toString(block),
            "0xb" + block,
            "2026-11-25 00:00:00",
            "0xt",
            "0",
            "0",
            Long.toString(inference),
            "1",
            payee,
            role,
            Long.toString(contribution),
            "0",
            Long.toString(wei),
            "1",
            "0",
            Integer.toString(offset))
        + "\n";
  }

  private static String leaf(
      long inference, String payee, String role, long contribution, long wei, int offset) {
    return String.join(
            "\t",
            "0xbatch",
            payee,
            Long.toString(inference),
            role,
            Long.toString(contribution),
            "0",
            Long.toString(wei),
            "0xleaf" + inference + role,
            "0",
            Integer.toString(offset))
        + "\n";
  }

  /** Inserts rows given up to their offset; the Kafka timestamp column (unused here) is 0. */
  private void insert(String table, String tsv) throws Exception {
    tsv = tsv.replace("\n", "\t0\n");
    client
        .insert(
            database + "." + table,
            new ByteArrayInputStream(tsv.getBytes(StandardCharsets.UTF_8)),
            ClickHouseFormat.TabSeparated)
        .get(60, TimeUnit.SECONDS)
        .close();
  }
}
