package org.openledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.scenario.ContentStore;
import org.openledger.bridge.scenario.SampleScenario;
import org.openledger.bridge.scenario.ScenarioDriver;
import org.openledger.bridge.settle.WindowBatchId;
import org.openledger.testing.LocalStack;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;

/**
 * {@code watch} against the real pipeline: the sample scenario's honest batches are proposed and
 * finalized by the settlement writer and the watcher finds them {@code ok}; then the test, holding
 * the settler key, proposes the next window paying everything to a thief before the writer does.
 * The watcher challenges that proposal (and no other), governance upholds the challenge through a
 * real Governor vote, the proposal is void and its bonds go to the challenger, while the next
 * honest window is proposed and finalized meanwhile. After every step the escrow holds exactly the
 * unpaid fees plus the bonds; no batch id pays twice. A restarted watcher reports its challenge
 * from its journal instead of sending another.
 */
class WatchChallengeIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);
  private static final BigInteger FEE = new BigInteger("3000000000000000001"); // the scenario's
  private static final BigInteger FEE2 = OPEN.multiply(BigInteger.TWO);
  private static final BigInteger FEE3 = OPEN.multiply(BigInteger.valueOf(5)).add(BigInteger.ONE);

  @TempDir Path dir;

  @Test
  void shouldChallengeOnlyTheTamperedProposalWhileHonestBatchesFinalize() throws Exception {
    Credentials challenger = Credentials.create(Keys.createEcKeyPair());
    String thief = "0x" + Keys.getAddress(Keys.createEcKeyPair());
    try (PipelineRun run =
            new PipelineRun(
                "watch-challenge",
                "watch",
                dir,
                // long enough for the watcher to judge a proposal while the test mines
                Map.of("OPENLEDGER_CHALLENGE_WINDOW_BLOCKS", "12"));
        Chain chain = new Chain(LocalStack.evmRpcUrl().toString(), DevAccounts.DEV_CHAIN_ID);
        Watches watches = new Watches()) {
      Deployment deployment = Deployment.read(run.deployment);
      DevAccounts accounts = DevAccounts.devNode();
      Credentials deployer = accounts.account(0);
      Credentials settler = accounts.account(1);
      ScenarioDriver driver = new ScenarioDriver(chain, deployment);
      Settlement escrow = driver.settlement(deployer);
      chain.setBalance(challenger.getAddress(), OPEN.multiply(BigInteger.TEN));
      driver.fund(deployer, challenger.getAddress(), OPEN.multiply(BigInteger.TEN));
      Money money = new Money(driver, escrow, deployer);

      Watch first = watches.start(run, challenger, dir.resolve("watch"), "watch-1");
      run.start();
      // Honest: the scenario's zero-wei window and its fee's window, proposed by the writer.
      SampleScenario.Report report =
          SampleScenario.run(chain, driver, accounts, 4, new ContentStore(run.content));
      chain.mine(25);
      run.awaitSettled(FEE);
      money.assertConserved();
      await(() -> first.out().split(": ok \\(", -1).length - 1 >= 2, "the watcher finds W1 ok");

      // The tamperer: the writer is stopped and the next window is proposed by the test, paying
      // the window's fees to a thief.
      run.stopSettlement();
      long length = windowBlocks(driver);
      long start2 = alignToSlot(chain, length);
      driver.payForInference(report.payer(), report.modelId(), FEE2, query(2), content(run, 2));
      long end2 = start2 + length - 1;
      chain.mine(Math.max(1, end2 + 1 - head(chain)));
      byte[] id2 = WindowBatchId.of(chain.chainId(), start2, end2, 0);
      String id2Hex = "0x" + java.util.HexFormat.of().formatHex(id2);
      BigInteger challengerBefore = money.balance(challenger.getAddress());
      BigInteger proposerBond = escrow.proposerBond().send();
      driver.propose(
          settler, start2, end2, 0, 1, List.of(thief), List.of(FEE2), Hash.sha3(new byte[32]));
      money.assertConserved();
      await(() -> state(escrow, id2) == 2, "the watcher challenges the tampered proposal");
      money.assertConserved();
      await(() -> first.out().contains("challenged in tx"), "the watcher reports its challenge");

      // Honest again: the writer comes back (it finds the tampered window challenged and waits),
      // and the next window's fee is proposed and paid by it.
      run.startSettlement();
      long start3 = alignToSlot(chain, length);
      driver.payForInference(report.payer(), report.modelId(), FEE3, query(3), content(run, 3));
      chain.mine(Math.max(1, start3 + length - head(chain)));
      run.awaitSettled(FEE.add(FEE3));
      money.assertConserved();

      // Governance upholds the challenge: void, both bonds to the challenger, the fees stay.
      driver.resolve(List.of(deployer), id2, true, "Uphold the challenge of " + id2Hex);
      assertThat(state(escrow, id2)).isZero();
      assertThat(money.balance(thief)).isZero();
      assertThat(money.balance(challenger.getAddress()))
          .isEqualTo(challengerBefore.add(proposerBond));
      money.assertConserved();
      assertThat(escrow.bondsHeld().send()).isZero();
      assertThat(escrow.escrowed().send()).isEqualTo(FEE2);
      assertThat(escrow.totalSettled().send()).isEqualTo(FEE.add(FEE3));
      assertThat(run.settledTotal()).isEqualTo(FEE.add(FEE3)); // no id paid twice (Money)
      money.assertEachIdPaidOnce(run);

      await(() -> first.out().split(": ok \\(", -1).length - 1 >= 3, "the watcher finds W3 ok");
      String out = first.stop();
      List<String> lines =
          Arrays.stream(out.split("\n")).filter(l -> l.startsWith("proposal ")).toList();
      assertThat(lines.stream().filter(l -> l.contains("DIFFERENCE")))
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l).startsWith("proposal " + id2Hex);
                // payees in address order: the first to differ may be an honest one left out
                assertThat(l).contains(": DIFFERENCE payee 0x");
                assertThat(l).contains("; challenged in tx 0x");
              });
      assertThat(first.err()).containsOnlyOnce(": challenging in tx ");

      // A restart replays from block 0 and reports the journaled challenge; it sends none.
      Watch again = watches.start(run, challenger, dir.resolve("watch"), "watch-2");
      await(() -> again.out().contains("challenged in tx"), "the restarted watcher's report");
      await(() -> again.out().split(": ok \\(", -1).length - 1 >= 3, "the restart's oks");
      String restarted = again.stop();
      assertThat(restarted)
          .contains(lines.stream().filter(l -> l.contains("DIFFERENCE")).findFirst().get());
      assertThat(again.err()).doesNotContain("challenging in tx");
    }
  }

  /** The escrow's books: OPEN held = fees not paid + bonds held; each batch id paid once. */
  private record Money(ScenarioDriver driver, Settlement escrow, Credentials reader) {
    void assertConserved() throws Exception {
      assertThat(balance(escrow.getContractAddress()))
          .isEqualTo(escrow.escrowed().send().add(escrow.bondsHeld().send()));
    }

    BigInteger balance(String who) throws Exception {
      return driver.token(reader).balanceOf(who).send();
    }

    void assertEachIdPaidOnce(PipelineRun run) throws Exception {
      Map<String, Integer> paid = new HashMap<>();
      try (ChainLog log =
          new ChainLog(LocalStack.evmRpcUrl().toString(), run.addresses(), 10_000)) {
        log.read(
            log.chainId(),
            0,
            log.head(),
            (seal, events) ->
                events.forEach(
                    e -> {
                      if (e.getEvent() instanceof org.openledger.events.BatchSettled s) {
                        paid.merge(s.getBatchId(), 1, Integer::sum);
                      }
                    }),
            (through, head, logs) -> {});
      }
      assertThat(paid.values()).allMatch(n -> n == 1);
    }
  }

  /** The watchers a test started, stopped (and their output kept) however it ends. */
  private static final class Watches implements AutoCloseable {
    private final List<Watch> started = new java.util.ArrayList<>();

    Watch start(PipelineRun run, Credentials challenger, Path state, String name) throws Exception {
      Watch w = new Watch(run, challenger, state, name);
      started.add(w);
      return w;
    }

    @Override
    public void close() throws Exception {
      for (Watch w : started) {
        w.stop();
      }
    }
  }

  /** A watcher running in a thread of the test, with its own sidecar and journal folder. */
  private static final class Watch {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private final Path log;

    Watch(PipelineRun run, Credentials challenger, Path state, String name) throws Exception {
      this.log = run.logs.resolve(name + ".out");
      ReplayApp.Options options =
          ReplayApp.Options.parse(
              new String[] {
                "--rpc",
                LocalStack.evmRpcUrl().toString(),
                "--deployment",
                run.deployment.toString()
              },
              Map.of(
                  "OPENLEDGER_LOCAL_DIR",
                  PipelineRun.localDir().toString(),
                  "OPENLEDGER_ROOT",
                  Path.of("..").toAbsolutePath().normalize().toString()));
      Map<String, String> env =
          Map.of(
              "OPENLEDGER_CONTENT_FETCH_SCHEMES",
              "file",
              "OPENLEDGER_CONTENT_FETCH_ROOT",
              run.content.toString(),
              "OPENLEDGER_CHALLENGER_KEY",
              org.web3j.utils.Numeric.toHexStringNoPrefixZeroPadded(
                  challenger.getEcKeyPair().getPrivateKey(), 64),
              "OPENLEDGER_WATCH_STATE_DIR",
              state.toString(),
              "OPENLEDGER_WATCH_METRICS_PORT",
              "0",
              "OPENLEDGER_WATCH_POLL_INTERVAL_MS",
              "200");
      PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
      PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
      thread =
          new Thread(
              () -> {
                try {
                  WatchApp.run(options, env, o, e, stop);
                } catch (InterruptedException x) {
                  Thread.currentThread().interrupt();
                } catch (Exception x) {
                  e.println("watch failed: " + x);
                }
              },
              name);
      thread.start();
    }

    String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
      return err.toString(StandardCharsets.UTF_8);
    }

    /** Stops the watcher; its output (also kept under target/ with the run's logs). */
    String stop() throws Exception {
      if (stop.getAndSet(true)) {
        return out();
      }
      thread.join(30_000);
      Files.writeString(log, out() + "\n--- standard error ---\n" + err());
      return out();
    }
  }

  private static long windowBlocks(ScenarioDriver driver) throws Exception {
    return driver
        .params(DevAccounts.devNode().account(0))
        .params()
        .send()
        .settlementWindowBlocks
        .longValueExact();
  }

  /** Mines until the next block starts a settlement window of {@code length}; returns it. */
  private static long alignToSlot(Chain chain, long length) throws Exception {
    long next = head(chain) + 1;
    long gap = Math.floorMod(-next, length);
    if (gap > 0) {
      chain.mine(gap);
    }
    return next + gap;
  }

  private static long head(Chain chain) throws Exception {
    return chain.web3().ethBlockNumber().send().getBlockNumber().longValueExact();
  }

  private static int state(Settlement escrow, byte[] id) throws Exception {
    return escrow.proposalOf(id).send().state.intValueExact();
  }

  private static byte[] query(int n) {
    return ("What does energy equal, question " + n + "? Mass times the speed of light squared.")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String content(PipelineRun run, int n) {
    return new ContentStore(run.content).put(query(n));
  }

  /** A condition the test waits for. */
  private interface Check {
    boolean ok() throws Exception;
  }

  private static void await(Check condition, String what) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!condition.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(500);
    }
  }
}
