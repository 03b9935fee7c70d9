package org.openledger.bridge.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.deploy.Deployer;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.scenario.ScenarioDriver;
import org.openledger.pipeline.PayoutBatch;
import org.openledger.testing.LocalStack;
import org.web3j.crypto.Hash;

/**
 * The writer against the window rules on the real dev node: a window whose last block is the head
 * is waited for (the node simulates in the head's block), proposed once the next block comes and
 * paid once its challenge window has passed; a window far past the head, and one after a later
 * window, are refused by name and counted. A background task mines a block every 300 ms, as a chain
 * with a block time would, so challenge windows pass while the writer waits.
 */
class SettlementWindowWriterIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);

  @Test
  void shouldWaitForAWindowToCloseAndRefuseOutOfOrderOrFarFutureWindowsByName(@TempDir Path dir)
      throws Exception {
    DevAccounts accounts = DevAccounts.devNode();
    try (Chain chain = new Chain(LocalStack.evmRpcUrl().toString(), LocalStack.evmChainId())) {
      Deployment deployment = Deployer.deployDev(chain, accounts);
      ScenarioDriver driver = new ScenarioDriver(chain, deployment);
      var payer = accounts.account(9);
      driver.fund(accounts.account(0), payer.getAddress(), OPEN);
      long datanet = driver.createDatanet(payer, "writer-windows", BigInteger.ONE);
      long model = driver.registerModel(payer, List.of(datanet), 0, "writer-windows-model");
      long start = head(chain) + 1;
      driver.payForInference(payer, model, OPEN, "q".getBytes(StandardCharsets.UTF_8), "file:///q");

      SettlementMetrics metrics = new SettlementMetrics();
      SettlementWriter writer =
          new SettlementWriter(
              new SettlementChain(chain, deployment.address("Settlement"), accounts.account(1)),
              ProgressStore.open(dir),
              metrics,
              new SettlementWriter.Timing(0, 30_000, 100, 1_000),
              System::currentTimeMillis);

      var miner = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
      miner.scheduleWithFixedDelay(
          () -> {
            try {
              chain.mine(1);
            } catch (java.io.IOException e) {
              // the next tick mines
            }
          },
          300,
          300,
          java.util.concurrent.TimeUnit.MILLISECONDS);
      try {
        check(chain, writer, metrics, start);
      } finally {
        miner.shutdownNow();
      }
    }
  }

  private static void check(
      Chain chain, SettlementWriter writer, SettlementMetrics metrics, long start)
      throws Exception {
    {
      // Ends past the head: waited for, then paid once mined past (the background miner and other
      // users of the node mine too, hence the margin).
      long end = head(chain) + 60;
      PayoutBatch open = batch(start, end, 0, 1, "0x" + "11".repeat(20), 1_000);
      CompletableFuture<SettlementWriter.Outcome> waiting =
          CompletableFuture.supplyAsync(() -> settle(writer, open));
      Thread.sleep(1_500);
      assertThat(waiting).as("waits for the window to close").isNotDone();
      chain.mine(65);
      SettlementWriter.Outcome paid = waiting.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(paid.kind()).isEqualTo(SettlementWriter.Outcome.Kind.SETTLED);
      assertThat(metrics.refused.get()).isZero();

      // Far past the head: no window the payment job closed.
      long far = head(chain) + SettlementWriter.MAX_BLOCKS_AHEAD + 100;
      SettlementWriter.Outcome ahead =
          writer.settle(batch(end + 1, far, 0, 1, "0x" + "22".repeat(20), 1));
      assertThat(ahead.kind()).isEqualTo(SettlementWriter.Outcome.Kind.REFUSED);
      assertThat(ahead.detail()).contains("WindowNotClosed");

      // The first window's other sub-batch after a later window: out of order, for good.
      long later = head(chain) - 1; // the head's own block would be waited for
      assertThat(writer.settle(batch(end + 1, later, 0, 1, "0x" + "33".repeat(20), 1)).kind())
          .isEqualTo(SettlementWriter.Outcome.Kind.SETTLED);
      SettlementWriter.Outcome back =
          writer.settle(batch(start, end, 1, 2, "0x" + "44".repeat(20), 1));
      assertThat(back.kind()).isEqualTo(SettlementWriter.Outcome.Kind.REFUSED);
      assertThat(back.detail()).contains("propose would revert: WindowOutOfOrder");
      assertThat(metrics.refused.get()).isEqualTo(2);
      assertThat(metrics.settled.get()).isEqualTo(2);
      assertThat(metrics.proposed.get()).isEqualTo(2);
    }
  }

  private static SettlementWriter.Outcome settle(SettlementWriter writer, PayoutBatch batch) {
    try {
      return writer.settle(batch);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static PayoutBatch batch(
      long start, long end, int subBatch, int count, String payee, long amount) {
    long chainId = LocalStack.evmChainId();
    return PayoutBatch.newBuilder()
        .setBatchId(WindowBatchId.hex(chainId, start, end, subBatch))
        .setChainId(chainId)
        .setWindowStart(start)
        .setWindowEnd(end)
        .setSubBatch(subBatch)
        .setSubBatchCount(count)
        .setPayees(List.of(payee))
        .setAmounts(List.of(BigDecimal.valueOf(amount)))
        .setTotal(BigDecimal.valueOf(amount))
        .setMerkleRoot(Hash.sha3String("root " + start + " " + subBatch))
        .build();
  }

  private static long head(Chain chain) throws Exception {
    return chain.web3().ethBlockNumber().send().getBlockNumber().longValueExact();
  }
}
