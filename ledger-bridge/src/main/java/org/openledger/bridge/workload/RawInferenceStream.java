package org.openledger.bridge.workload;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.scenario.ContentStore;
import org.openledger.bridge.workload.InferenceStream.Interlude;
import org.openledger.bridge.workload.InferenceStream.Outcome;
import org.openledger.bridge.workload.PaymentTracker.Pending;
import org.openledger.bridge.workload.WorkloadPlan.InferenceSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;

/**
 * The fast sender: pays the planned inferences as raw transactions signed here with locally counted
 * nonces ({@link NonceBook}), many in flight at once, and leaves the receipts to {@link
 * BlockReader}, which reads them a block at a time. The offered rate is then bounded by the node,
 * not by one receipt poll per payment. Signing runs ahead of the clock on every core, so the
 * generator's own CPU does not pace the measured window.
 */
final class RawInferenceStream {

  private static final Logger LOG = LoggerFactory.getLogger(RawInferenceStream.class);

  /** As {@code Chain.GAS}: the legacy price every transaction of the project pays. */
  static final BigInteger GAS_PRICE = BigInteger.valueOf(2_000_000_000L);

  /** payForInference uses 76–98k gas (docs/BENCHMARKS.md); the rest is headroom for the URI. */
  static final BigInteger PAYMENT_GAS = BigInteger.valueOf(250_000);

  /** Payments queued for sending or awaiting the node's answer, at most. */
  static final int WINDOW = 4096;

  /** HTTP connections to the node: one per account's lane, and the block reader's. */
  static final int CONNECTIONS = 64;

  private static final int CHUNK = 2048;

  /** One payment signed ahead: its place in the plan, nonce, fee, raw bytes (hex) and hash. */
  record Signed(int index, String account, long nonce, BigInteger fee, String hex, String hash) {}

  private static final Signed END = new Signed(-1, "", -1, BigInteger.ZERO, "", "");

  private RawInferenceStream() {}

  static Outcome run(
      BlockReader reader,
      String market,
      List<InferenceSpec> inferences,
      List<Long> modelIds,
      ContentStore content,
      double rate,
      int drainAt,
      Interlude interlude)
      throws Exception {
    DevAccounts accounts = DevAccounts.devNode();
    int payers = inferences.stream().mapToInt(InferenceSpec::payer).max().orElse(-1) + 1;
    List<Credentials> creds = new ArrayList<>();
    for (int p = 0; p < payers; p++) {
      Credentials c = accounts.account(WorkloadApp.PAYERS + p);
      creds.add(c);
      reader.register(c);
    }
    // Signed payments wait here for their turn; at most a few minutes' worth is held at once.
    int capacity = Math.max(1, Math.min(inferences.size(), Math.max(20_000, (int) (rate * 120))));
    BlockingQueue<Signed> queue = new ArrayBlockingQueue<>(capacity + 1);
    AtomicReference<Exception> failed = new AtomicReference<>();
    Thread producer =
        new Thread(
            () -> {
              try {
                produce(inferences, modelIds, content, creds, market, reader, queue);
              } catch (Exception e) {
                failed.compareAndSet(null, e);
                queue.offer(END);
              }
            },
            "workload-signer");
    producer.setDaemon(true);
    producer.start();
    while (producer.isAlive() && queue.size() < capacity) {
      Thread.sleep(100);
    }
    LOG.info("workload: {} payments signed ahead; sending at {}/s", queue.size(), rate);
    reader.start();
    Semaphore window = new Semaphore(WINDOW);
    long started = System.nanoTime();
    long lastReport = started;
    Pacer pacer = new Pacer(rate, started);
    int count = 0;
    for (Signed s = queue.take(); s != END; s = queue.take()) {
      if (s.index() == drainAt) {
        reader.awaitDrained();
        interlude.before(s.index());
      }
      for (long w = pacer.waitNanos(System.nanoTime()); w > 0; ) {
        LockSupport.parkNanos(w);
        w = pacer.waitNanos(System.nanoTime());
      }
      window.acquire();
      reader.send(
          new Pending(s.hash(), s.account(), s.nonce(), System.currentTimeMillis(), s.fee(), false),
          s.hex(),
          window::release);
      pacer.sent();
      count++;
      if (System.nanoTime() - lastReport > 10_000_000_000L) {
        LOG.info(
            "workload: {}/{} inferences paid ({} /s sent, {} in flight)",
            count,
            inferences.size(),
            String.format("%.1f", count / ((System.nanoTime() - started) / 1e9)),
            reader.tracker().paymentsInFlight());
        lastReport = System.nanoTime();
      }
    }
    if (failed.get() != null) {
      throw failed.get();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    LOG.info(
        "workload: {}/{} inferences sent in {} s ({} /s); reading the last receipts",
        count,
        inferences.size(),
        String.format("%.1f", seconds),
        String.format("%.1f", count / seconds));
    reader.awaitDrained();
    reader.close();
    Outcome outcome = reader.tracker().outcome();
    LOG.info(
        "workload: {}/{} inferences paid ({} /s offered), {} lost, {} reverted",
        outcome.sent().size(),
        inferences.size(),
        String.format("%.1f", count / seconds),
        outcome.lost(),
        outcome.reverted());
    return outcome;
  }

  /** Numbers, stores and signs the payments in plan order, a chunk at a time on every core. */
  private static void produce(
      List<InferenceSpec> inferences,
      List<Long> modelIds,
      ContentStore content,
      List<Credentials> creds,
      String market,
      BlockReader reader,
      BlockingQueue<Signed> queue)
      throws Exception {
    record Unsigned(int index, Credentials by, RawTransaction tx, BigInteger fee) {}
    for (int from = 0; from < inferences.size(); from += CHUNK) {
      List<Unsigned> chunk = new ArrayList<>();
      for (int i = from; i < Math.min(inferences.size(), from + CHUNK); i++) {
        InferenceSpec inf = inferences.get(i);
        Credentials by = creds.get(inf.payer());
        byte[] query = inf.query().getBytes(StandardCharsets.UTF_8);
        String data =
            FunctionEncoder.encode(
                new Function(
                    "payForInference",
                    List.of(
                        new Uint256(modelIds.get(inf.model())),
                        new Uint256(inf.fee()),
                        new Bytes32(Hash.sha3(query)),
                        new Utf8String(content.put(query))),
                    List.of()));
        long nonce = reader.nonces().take(by.getAddress());
        chunk.add(
            new Unsigned(
                i,
                by,
                RawTransaction.createTransaction(
                    BigInteger.valueOf(nonce),
                    GAS_PRICE,
                    PAYMENT_GAS,
                    market,
                    BigInteger.ZERO,
                    data),
                inf.fee()));
      }
      List<Signed> signed =
          chunk.parallelStream()
              .map(
                  u -> {
                    String hex = reader.sign(u.tx(), u.by());
                    return new Signed(
                        u.index(),
                        u.by().getAddress(),
                        u.tx().getNonce().longValueExact(),
                        u.fee(),
                        hex,
                        Hash.sha3(hex));
                  })
              .toList();
      for (Signed s : signed) {
        queue.put(s);
      }
    }
    queue.put(END);
  }
}
