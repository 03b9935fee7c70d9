package org.openledger.flink.bench;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.openledger.flink.domain.FeeSplit;
import org.openledger.flink.domain.PaymentParams;
import org.openledger.flink.operators.PaymentOperator;
import org.openledger.flink.payment.PaymentInput;
import org.openledger.flink.payment.Position;

/**
 * The payment ledger operator alone in Flink's keyed harness, without Kafka, Avro or sinks: how
 * many accruals per second its own work (state, split, windows, Merkle roots) allows on one core,
 * on the heap or the RocksDB state backend, with a snapshot every so many records as checkpoints
 * would take. The workload has the shape of {@link PaymentBenchmark}'s. Run from the test classpath
 * (docs/BENCHMARKS.md, Payment job): {@code PaymentOperatorBench inferences contributors payees
 * heap|rocksdb interleaved|chain-first records-per-snapshot rounds}.
 */
public final class PaymentOperatorBench {

  static final String TREASURY = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";
  static final String OWNER = "0x00000000000000000000000000000000000000b1";

  private PaymentOperatorBench() {}

  public static void main(String[] args) throws Exception {
    int inferences = args.length > 0 ? Integer.parseInt(args[0]) : 60_000;
    int perInference = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int payees = args.length > 2 ? Integer.parseInt(args[2]) : 5_000;
    String backend = args.length > 3 ? args[3] : "heap";
    boolean chainFirst = args.length > 4 && args[4].equals("chain-first");
    int perSnapshot = args.length > 5 ? Integer.parseInt(args[5]) : 0;
    int rounds = args.length > 6 ? Integer.parseInt(args[6]) : 5;
    List<PaymentInput> log = log(inferences, perInference, payees, chainFirst);
    long accruals = (long) inferences * (perInference + 2);
    for (int round = 1; round <= rounds; round++) {
      long[] outcome = run(log, backend, perSnapshot);
      double seconds = outcome[0] / 1e9;
      double cpu = outcome[3] / 1e9;
      System.out.printf(
          Locale.ROOT,
          "round %d (%s, %s, snapshot every %d records): %d accruals (%d emitted), %d batches"
              + " in %.2f s -> %.0f accruals/s; %.2f s CPU -> %.0f accruals per CPU-second%n",
          round,
          backend,
          chainFirst ? "chain-first" : "interleaved",
          perSnapshot,
          accruals,
          outcome[1],
          outcome[2],
          seconds,
          accruals / seconds,
          cpu,
          accruals / cpu);
    }
  }

  /**
   * Returns {nanoseconds, accruals emitted, batches, CPU nanoseconds of this thread}. The harness
   * runs snapshots (their asynchronous part too) on this thread, so its CPU time is the ledger's
   * whole cost; on a shared machine it says more than the wall time.
   */
  static long[] run(List<PaymentInput> log, String backend, int perSnapshot) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new PaymentOperator(TREASURY, 0)),
            PaymentInput::chainId,
            Types.LONG);
    if (backend.equals("rocksdb")) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
    }
    // on disk, as the pipeline checkpoints (a backlog's state outgrows the 5 MB in-memory storage)
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("payment-bench");
    h.setCheckpointStorage(new FileSystemCheckpointStorage(dir.toUri()));
    h.open();
    long emitted = 0;
    long batches = 0;
    long checkpoint = 0;
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuStarted = mx.getCurrentThreadCpuTime();
    long started = System.nanoTime();
    try {
      int i = 0;
      for (PaymentInput in : log) {
        h.processElement(in, in.block());
        if (++i % 1_000 == 0) {
          emitted += h.getOutput().size();
          h.getOutput().clear();
          var side = h.getSideOutput(PaymentOperator.BATCHES);
          if (side != null) {
            batches += side.size();
            side.clear();
          }
        }
        if (perSnapshot > 0 && i % perSnapshot == 0) {
          checkpoint++;
          h.snapshot(checkpoint, checkpoint);
          h.notifyOfCompletedCheckpoint(checkpoint);
        }
      }
      emitted += h.getOutput().size();
      var side = h.getSideOutput(PaymentOperator.BATCHES);
      batches += side == null ? 0 : side.size();
      return new long[] {
        System.nanoTime() - started, emitted, batches, mx.getCurrentThreadCpuTime() - cpuStarted
      };
    } finally {
      h.close();
    }
  }

  /** The benchmark's log: 50 fees a block, a seal after each block, results beside the fees. */
  static List<PaymentInput> log(int inferences, int perInference, int payees, boolean chainFirst) {
    Random random = new Random(42);
    List<PaymentInput> chain = new ArrayList<>();
    List<PaymentInput> results = new ArrayList<>();
    List<PaymentInput> out = new ArrayList<>();
    Position p0 = at(1, 0);
    chain.add(
        new PaymentInput(
            PaymentInput.Kind.PARAMS,
            false,
            p0,
            null,
            null,
            new PaymentParams(
                1, 1, p0.eventId(), new FeeSplit.Bps(7000, 2000, 1000), BigInteger.ONE, 20, 200),
            null));
    chain.add(
        new PaymentInput(
            PaymentInput.Kind.OWNER,
            false,
            at(1, 1),
            null,
            null,
            null,
            new PaymentInput.Owner(1, OWNER)));
    int perBlock = 50;
    long block = 2;
    for (int i = 1; i <= inferences; i++) {
      if (i % perBlock == 0) {
        chain.add(seal(block++));
        if (!chainFirst) {
          out.addAll(chain);
          out.addAll(results);
          chain.clear();
          results.clear();
        }
      }
      BigInteger fee = BigInteger.TEN.pow(15).add(BigInteger.valueOf(random.nextInt(1_000_000)));
      Position p = at(block, i % perBlock);
      chain.add(
          new PaymentInput(
              PaymentInput.Kind.FEE, false, p, new PaymentInput.Fee(i, 1, fee), null, null, null));
      List<FeeSplit.Share> shares = new ArrayList<>();
      for (int c = 0; c < perInference; c++) {
        shares.add(
            new FeeSplit.Share(
                random.nextInt(1_000_000),
                String.format("0x%040x", 1 + random.nextInt(payees)),
                900_000 - 1_000L * c));
      }
      results.add(
          new PaymentInput(
              PaymentInput.Kind.RESULT,
              false,
              p,
              null,
              new PaymentInput.Result(i, 1, List.copyOf(shares)),
              null,
              null));
    }
    chain.add(seal(block + 100));
    out.addAll(chain);
    out.addAll(results);
    return out;
  }

  static Position at(long block, int logIndex) {
    return new Position(
        1337,
        block,
        String.format("0x%064x", block),
        1_700_000_000 + block,
        "0x" + "ab".repeat(32),
        logIndex);
  }

  static PaymentInput seal(long block) {
    return new PaymentInput(PaymentInput.Kind.SEAL, false, at(block, -1), null, null, null, null);
  }
}
