package org.openledger.bridge.workload;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.scenario.ContentStore;
import org.openledger.bridge.scenario.ScenarioDriver;
import org.openledger.bridge.workload.WorkloadPlan.InferenceSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.exceptions.TransactionException;

/**
 * The simple sender, kept for its plainness (the demo and chaos runs' default): pays the planned
 * inferences at a target rate from one or more sender threads, waiting for each receipt; {@link
 * RawInferenceStream} is the fast one. Each sender pays as its own payer account, so their nonces
 * never collide; with one sender the plan's payers take turns. Notes each payment's block and the
 * wall-clock time it was sent, which the end-to-end benchmark measures latencies from (the dev node
 * mines the block as the transaction arrives).
 */
final class InferenceStream {

  private static final Logger LOG = LoggerFactory.getLogger(InferenceStream.class);

  /** One paid inference: its block, when it was sent (ms since the epoch), fee and transaction. */
  record Sent(long block, long sentAtMillis, BigInteger fee, String txHash) {}

  /**
   * What the stream did: {@code lost} payments had no receipt (a reorg took their block before the
   * receipt was seen); {@code reverted} ones were mined with a failed status. {@code blockSeen}:
   * when the workload first saw each block of its payments mined (ms since the epoch).
   */
  record Outcome(List<Sent> sent, int lost, int reverted, Map<Long, Long> blockSeen) {

    BigInteger fees() {
      return sent.stream().map(Sent::fee).reduce(BigInteger.ZERO, BigInteger::add);
    }
  }

  /** Called between payments by the single sender, e.g. for the mid-run governance change. */
  interface Interlude {
    void before(int index) throws Exception;
  }

  private InferenceStream() {}

  static Outcome run(
      ScenarioDriver driver,
      List<InferenceSpec> inferences,
      List<Long> modelIds,
      ContentStore content,
      double rate,
      int senders,
      Interlude interlude)
      throws Exception {
    DevAccounts accounts = DevAccounts.devNode();
    ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    Map<Long, Long> blockSeen = new ConcurrentHashMap<>();
    AtomicInteger lost = new AtomicInteger();
    AtomicInteger reverted = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicReference<Exception> failed = new AtomicReference<>();
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    List<Future<?>> futures = new ArrayList<>();
    for (int s = 0; s < senders; s++) {
      int sender = s;
      futures.add(
          pool.submit(
              () -> {
                long lastReport = System.nanoTime();
                long next = started + (long) (sender * 1e9 / rate);
                for (int i = sender; i < inferences.size() && failed.get() == null; i += senders) {
                  try {
                    if (senders == 1) {
                      interlude.before(i);
                    }
                    InferenceSpec inf = inferences.get(i);
                    int payer = senders == 1 ? inf.payer() : sender;
                    byte[] query = inf.query().getBytes(StandardCharsets.UTF_8);
                    long at = System.currentTimeMillis();
                    TransactionReceipt r =
                        driver
                            .market(accounts.account(WorkloadApp.PAYERS + payer))
                            .payForInference(
                                BigInteger.valueOf(modelIds.get(inf.model())),
                                inf.fee(),
                                Hash.sha3(query),
                                content.put(query))
                            .send();
                    long block = r.getBlockNumber().longValueExact();
                    blockSeen.putIfAbsent(block, System.currentTimeMillis());
                    sent.add(new Sent(block, at, inf.fee(), r.getTransactionHash()));
                  } catch (TransactionException e) {
                    if (e.getTransactionReceipt().isPresent()) {
                      // Mined, but failed: no InferencePaid event, so nothing for the pipeline.
                      reverted.incrementAndGet();
                      LOG.warn("workload: inference {} reverted: {}", i + 1, e.getMessage());
                    } else {
                      // A reorg took the block with our transaction before we saw its receipt:
                      // the payment never happened on the chain that won, which the pipeline
                      // follows.
                      lost.incrementAndGet();
                      LOG.warn(
                          "workload: inference {} lost (no receipt: {})", i + 1, e.getMessage());
                    }
                  } catch (Exception e) {
                    failed.compareAndSet(null, e);
                    return;
                  }
                  int n = done.incrementAndGet();
                  // Each sender keeps its share of the rate. One that fell behind (a receipt lost
                  // to a reorg waits a minute) drops the backlog instead of bursting to catch up.
                  next += (long) (senders * 1e9 / rate);
                  long now = System.nanoTime();
                  if (now - next > 1_000_000_000L) {
                    next = now;
                  } else if (next > now) {
                    sleep((next - now) / 1_000_000);
                  }
                  if (sender == 0 && (System.nanoTime() - lastReport > 10_000_000_000L)) {
                    LOG.info(
                        "workload: {}/{} inferences paid ({} /s)",
                        n,
                        inferences.size(),
                        String.format("%.1f", n / ((System.nanoTime() - started) / 1e9)));
                    lastReport = System.nanoTime();
                  }
                }
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    if (failed.get() != null) {
      throw failed.get();
    }
    LOG.info(
        "workload: {}/{} inferences paid ({} /s)",
        done.get(),
        inferences.size(),
        String.format("%.1f", done.get() / ((System.nanoTime() - started) / 1e9)));
    return new Outcome(new ArrayList<>(sent), lost.get(), reverted.get(), new TreeMap<>(blockSeen));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
