package org.openledger.bridge.analytics;

import com.clickhouse.client.api.Client;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.openledger.config.ConfigSource;

/**
 * {@code bin/openledger reconcile [--from BLOCK] [--to BLOCK] [--step BLOCKS]}: proves from
 * ClickHouse, per block range, that fees = contributor + owner + protocol, accrued = settled +
 * pending, and every BatchSettled total = the emitted batch = its leaves. Prints a pass/fail table;
 * exit status 1 on any difference, naming the range.
 */
public final class ReconcileApp {

  private ReconcileApp() {}

  public static void main(String[] args) throws Exception {
    long from = 0;
    long to = Long.MAX_VALUE / 2;
    long step = 1_000;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--from" -> from = Long.parseLong(args[i + 1]);
        case "--to" -> to = Long.parseLong(args[i + 1]);
        case "--step" -> step = Long.parseLong(args[i + 1]);
        default -> {
          System.err.println("usage: reconcile [--from BLOCK] [--to BLOCK] [--step BLOCKS]");
          System.exit(64);
        }
      }
    }
    ConfigSource config = ConfigSource.of(System.getenv(), Optional.empty());
    config.validate(List.of(LoaderApp.CLICKHOUSE, LoaderApp.DATABASE, LoaderApp.SQL_DIR));
    List<Reconciler.Check> checks;
    try (Client client = LoaderApp.client(config.get(LoaderApp.CLICKHOUSE))) {
      // The views the checks read may be newer than the loader that made the tables.
      Ddl.apply(client, Path.of(config.get(LoaderApp.SQL_DIR)), config.get(LoaderApp.DATABASE));
      checks =
          new Reconciler(
                  client,
                  Path.of(config.get(LoaderApp.SQL_DIR), "reconcile"),
                  config.get(LoaderApp.DATABASE))
              .run(from, to, step);
    }
    System.exit(print(checks) ? 0 : 1);
  }

  /** Prints the table; true when every check passed. */
  static boolean print(List<Reconciler.Check> checks) {
    String format = "%-42s %-21s %30s %30s  %s%n";
    System.out.printf(format, "check", "blocks", "expected (wei)", "actual (wei)", "");
    boolean ok = true;
    for (Reconciler.Check c : checks) {
      System.out.printf(
          format,
          c.name(),
          c.from() + ".." + c.to(),
          c.expected(),
          c.actual(),
          c.passed() ? "pass" : "FAIL");
      ok &= c.passed();
    }
    System.out.println(
        checks.isEmpty()
            ? "nothing to reconcile in this range"
            : ok ? "reconciled: every check passed" : "NOT reconciled: see the FAIL rows");
    return ok;
  }
}
