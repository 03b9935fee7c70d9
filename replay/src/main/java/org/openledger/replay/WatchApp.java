package org.openledger.replay;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.openledger.bridge.chain.Chain;

/**
 * {@code bin/openledger watch --rpc URL}: {@code replay} run continuously. It replays from block 0
 * to the safe head and then follows the chain; every {@code BatchProposed} is compared with the
 * batch the replay computed for its window and sub-batch, and one that differs is challenged once,
 * inside its challenge window, with the challenger key ({@link WatchConfig}). Standard output: one
 * line per proposal ({@code ok}, or the first difference and what was done) and per settled batch;
 * progress on standard error; metrics on {@code /metrics}.
 */
public final class WatchApp {

  private static final String USAGE =
      "usage: watch --rpc URL [--deployment FILE] [--treasury ADDR] [--span N]"
          + " [--sidecar grpc+tcp://HOST:PORT | --python PATH --sidecar-src DIR"
          + " [--sidecar-backend numpy]]";

  private WatchApp() {}

  public static void main(String[] args) throws Exception {
    ReplayApp.Options o;
    try {
      o = ReplayApp.Options.parse(args, System.getenv());
      if (o.to() >= 0) {
        throw new IllegalArgumentException("--to: watch follows the head; use replay --to");
      }
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(64);
      return;
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    AtomicBoolean stop = new AtomicBoolean();
    Thread main = Thread.currentThread();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.set(true);
                  main.interrupt();
                }));
    try {
      run(o, System.getenv(), out, System.err, stop);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      System.err.println("watch failed: " + e);
      System.exit(2);
    }
  }

  /**
   * Watches until {@code stop} is set: verdicts to {@code out}, progress to {@code progress}.
   * {@code env}: the pipeline's {@code OPENLEDGER_*} keys (fetch policy, encoder) and the watcher's
   * own ({@link WatchConfig}).
   */
  static void run(
      ReplayApp.Options o,
      Map<String, String> env,
      PrintStream out,
      PrintStream progress,
      AtomicBoolean stop)
      throws Exception {
    WatchMetrics metrics = new WatchMetrics();
    try (ReplaySetup setup = ReplaySetup.open(o, env, progress);
        ChainLog log = new ChainLog(o.rpc(), setup.deployment.addressesByName(), o.span())) {
      WatchConfig config = WatchConfig.load(env, setup.deployment.roles().settler());
      long chainId = log.chainId();
      if (chainId != setup.deployment.chainId()) {
        throw new IllegalStateException(
            "the node serves chain "
                + chainId
                + ", the deployment is on "
                + setup.deployment.chainId());
      }
      int port = metrics.serve(config.host(), config.metricsPort());
      try (Chain chain = new Chain(o.rpc(), chainId)) {
        String settlement = setup.deployment.address("Settlement");
        Challenger challenger = new Challenger(chain, settlement, config.challenger());
        String warning = challenger.ensureBondAllowance();
        if (warning != null) {
          progress.println("watch: WARNING " + warning);
        }
        ChallengeJournal journal = ChallengeJournal.open(config.stateDir());
        progress.printf(
            "watch: challenger %s, %d challenges journaled in %s, %d confirmations, metrics on"
                + " %s:%d%n",
            challenger.address(),
            journal.size(),
            config.stateDir(),
            config.confirmations(),
            config.host(),
            port);
        Replayer replayer =
            new Replayer(setup.treasury, setup.attributor, v -> out.println(v.line()));
        Watcher watcher =
            new Watcher(
                replayer, log, chainId, settlement, challenger, journal, metrics, out, progress);
        long backoff = 100;
        while (!stop.get()) {
          try {
            watcher.look(config.confirmations());
            backoff = 100;
            Thread.sleep(config.pollMillis());
          } catch (java.io.IOException e) {
            // A node that does not answer, or a reorg under the replay: look again. A reorg of a
            // replayed block is not undone: replay at a depth you consider final.
            progress.println("watch: " + e.getMessage() + " (retrying in " + backoff + " ms)");
            Thread.sleep(backoff);
            backoff = Math.min(30_000, backoff * 2);
          }
        }
      }
    } finally {
      metrics.stop();
    }
  }
}
