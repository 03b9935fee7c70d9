package org.openledger.replay;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.openledger.flink.domain.PayoutBatcher;

/**
 * {@code bin/openledger replay --rpc URL}: reads every event of the deployment from block 0,
 * recomputes attributions, accruals, batches and roots with the jobs' own code, and prints for each
 * {@code BatchSettled} on chain {@code match} or the first difference, then a summary with a digest
 * of every batch it closed. Standard output holds only what the chain determines (two replays of
 * one chain print the same bytes); progress goes to standard error. Exit status 1 when a settled
 * batch differs, 2 when replay could not run.
 */
public final class ReplayApp {

  private static final String USAGE =
      "usage: replay --rpc URL [--deployment FILE] [--treasury ADDR] [--to BLOCK] [--span N]"
          + " [--sidecar grpc+tcp://HOST:PORT | --python PATH --sidecar-src DIR"
          + " [--sidecar-backend numpy]]";

  private ReplayApp() {}

  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = Options.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(64);
      return;
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try {
      Replayer.Summary summary = run(o, System.getenv(), out, System.err);
      System.exit(summary.differing() == 0 ? 0 : 1);
    } catch (Exception e) {
      System.err.println("replay failed: " + e);
      System.exit(2);
    }
  }

  /**
   * Runs one replay; verdicts and the summary to {@code out}, progress to {@code progress}. {@code
   * env}: the pipeline's {@code OPENLEDGER_*} keys (fetch policy, encoder), as the jobs read them.
   */
  static Replayer.Summary run(
      Options o, Map<String, String> env, PrintStream out, PrintStream progress) throws Exception {
    try (ReplaySetup setup = ReplaySetup.open(o, env, progress);
        ChainLog chain = new ChainLog(o.rpc(), setup.deployment.addressesByName(), o.span())) {
      SequencerAttributor attributor = setup.attributor;
      long chainId = chain.chainId();
      long to = o.to() >= 0 ? o.to() : chain.head();
      Replayer replayer = new Replayer(setup.treasury, attributor, v -> out.println(v.line()));
      chain.read(chainId, 0, to, replayer::block, progressLines(progress, "replay"));
      Replayer.Summary summary = replayer.finish();
      for (PayoutBatcher.Batch b : replayer.unsettled()) {
        out.println(
            "batch "
                + b.batchId()
                + " window "
                + b.window().start()
                + "-"
                + b.window().end()
                + " sub "
                + b.subBatch()
                + "/"
                + b.subBatchCount()
                + ": closed by the replay, not settled on chain yet ("
                + b.payees().size()
                + " payees, total "
                + b.total()
                + " wei, root "
                + b.merkleRoot()
                + ")");
      }
      out.println(summary.line());
      progress.printf(
          "replay: %d duplicates flagged, %d attribution dead letters, %d undecodable logs%n",
          attributor.duplicates(), attributor.rejections(), chain.undecodable());
      return summary;
    }
  }

  /**
   * Progress lines on {@code progress}: at most one every two seconds, and the last block of each
   * read ({@code what}: block N of H (P%), L logs, T s).
   */
  static ChainLog.Progress progressLines(PrintStream progress, String what) {
    long started = System.nanoTime();
    long[] shown = {started - 2_000_000_000L, -1}; // when, and which block, last shown
    return (through, head, logs) -> {
      long now = System.nanoTime();
      boolean last = through == head && shown[1] != head;
      if (last || (through != shown[1] && now - shown[0] >= 2_000_000_000L)) {
        shown[0] = now;
        shown[1] = through;
        progress.printf(
            "%s: block %d of %d (%d%%), %d logs, %.1f s%n",
            what,
            through,
            head,
            head == 0 ? 100 : through * 100 / head,
            logs,
            (now - started) / 1e9);
      }
    };
  }

  /** The command line, with defaults from the environment {@code bin/openledger} sets. */
  record Options(
      String rpc,
      Path deployment,
      String treasury,
      long to,
      long span,
      java.net.URI sidecar,
      Path python,
      Path sidecarSource,
      String sidecarBackend) {

    static Options parse(String[] args, Map<String, String> env) {
      String rpc = null;
      String deployment = env.getOrDefault("OPENLEDGER_DEPLOYMENT_FILE", ".run/deployment.json");
      String treasury = null;
      long to = -1;
      long span = 2000;
      java.net.URI sidecar = null;
      String local = env.getOrDefault("OPENLEDGER_LOCAL_DIR", ".local");
      String root = env.getOrDefault("OPENLEDGER_ROOT", ".");
      Path python = Path.of(local, "venv", "bin", "python");
      Path source = Path.of(root, "gpu-inference-sidecar", "src");
      String backend = "numpy";
      for (int i = 0; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value");
        }
        String v = args[i + 1];
        switch (args[i]) {
          case "--rpc" -> rpc = v;
          case "--deployment" -> deployment = v;
          case "--treasury" -> treasury = v.toLowerCase(java.util.Locale.ROOT);
          case "--to" -> to = Long.parseLong(v);
          case "--span" -> span = Long.parseLong(v);
          case "--sidecar" -> sidecar = java.net.URI.create(v);
          case "--python" -> python = Path.of(v);
          case "--sidecar-src" -> source = Path.of(v);
          case "--sidecar-backend" -> backend = v;
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (rpc == null) {
        throw new IllegalArgumentException("--rpc URL is required");
      }
      if (span < 1) {
        throw new IllegalArgumentException("--span must be positive");
      }
      return new Options(
          rpc, Path.of(deployment), treasury, to, span, sidecar, python, source, backend);
    }
  }
}
