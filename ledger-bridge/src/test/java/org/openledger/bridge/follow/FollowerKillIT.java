package org.openledger.bridge.follow;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.deploy.Deployer;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.scenario.ScenarioDriver;
import org.openledger.events.RawChainLog;
import org.openledger.testing.LocalStack;
import org.web3j.crypto.Credentials;

/**
 * Exactly-once under SIGKILL: the follower process is killed at random points while the chain keeps
 * producing, and restarted; the raw topic ends up with every log once, in chain order.
 */
class FollowerKillIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);

  @Test
  void shouldWriteEveryLogExactlyOnceInOrderAcrossKills(@TempDir Path dir) throws Exception {
    DevAccounts accounts = DevAccounts.devNode();
    try (Chain chain = new Chain(LocalStack.evmRpcUrl().toString(), LocalStack.evmChainId())) {
      Deployment deployment = Deployer.deployDev(chain, accounts);
      Path file = dir.resolve("deployment.json");
      deployment.write(file);
      String name = LocalStack.unique("follower-kill");
      Path logs = Files.createDirectories(Path.of("target", "follower-kill", name));
      ScenarioDriver driver = new ScenarioDriver(chain, deployment);
      Credentials user = accounts.account(8);
      driver.fund(accounts.account(0), user.getAddress(), OPEN.multiply(BigInteger.valueOf(1000)));
      long datanet = driver.createDatanet(user, "kill", BigInteger.ONE);
      long model = driver.registerModel(user, List.of(datanet), 0, "kill-model");

      CompletableFuture<Void> traffic =
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (int i = 0; i < 60; i++) {
                    byte[] text = ("fortune " + i).getBytes(StandardCharsets.UTF_8);
                    driver.contribute(user, datanet, text, "file:///k/" + i, BigInteger.ONE);
                    driver.payForInference(
                        user, model, BigInteger.valueOf(1000 + i), text, "file:///q/" + i);
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      Random random = new Random(42);
      int kills = 0;
      while (!traffic.isDone() || kills < 3) {
        Path log = logs.resolve("follower-" + kills + ".log");
        Process follower = start(name, file, log);
        awaitFollowing(log);
        // kill at a random point of its work: between, or in the middle of, its transactions
        Thread.sleep(100 + random.nextInt(1500));
        follower.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no clean close
        kills++;
      }
      traffic.join();

      List<String> expected = RawTopic.canonicalIds(chain, deployment);
      Process last = start(name, file, logs.resolve("follower-last.log"));
      try {
        List<String> written = List.of();
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline) {
          written = RawTopic.logs(name + ".chain.raw-logs").stream().map(RawTopic::id).toList();
          if (written.size() >= expected.size()) {
            break;
          }
          Thread.sleep(500);
        }
        assertThat(kills).isGreaterThanOrEqualTo(3);
        assertThat(expected).hasSizeGreaterThan(100);
        assertThat(written).containsExactlyElementsOf(expected);
        List<RawChainLog> all = RawTopic.readCommitted(name + ".chain.raw-logs");
        assertThat(all).noneMatch(RawChainLog::getRemoved);
        assertSealsKeepTheirPromise(all);
      } finally {
        last.destroyForcibly().waitFor();
      }
    }
  }

  /** Every seal comes after all logs of its blocks and before any log of a later block. */
  private static void assertSealsKeepTheirPromise(List<RawChainLog> all) {
    long sealed = -1;
    int seals = 0;
    for (RawChainLog r : all) {
      long block = r.getPosition().getBlockNumber();
      if (r.getKind() == org.openledger.events.RawRecordKind.SEAL) {
        assertThat(block).as("seals only advance").isGreaterThan(sealed);
        sealed = block;
        seals++;
      } else {
        assertThat(block).as("a log after the seal of its block").isGreaterThan(sealed);
      }
    }
    assertThat(seals).isGreaterThan(0);
    assertThat(all.get(all.size() - 1).getKind())
        .isEqualTo(org.openledger.events.RawRecordKind.SEAL);
  }

  /** Waits until the process has resumed from its cursor and started writing. */
  private static void awaitFollowing(Path log) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains("following chain")) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("follower did not start: " + log);
  }

  private static Process start(String name, Path deploymentFile, Path log) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dlog4j2.configurationFile=log4j2.xml",
            "-cp",
            System.getProperty("java.class.path"),
            FollowerApp.class.getName());
    builder.environment().putAll(RawTopic.followerEnv(name, deploymentFile));
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    Files.deleteIfExists(log);
    return builder.start();
  }
}
