package org.openledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.testing.LocalStack;

/**
 * Replay against a chain the real pipeline settled: contracts deployed on the dev node, the
 * bridge's follower, decoder and settlement writer as processes, both jobs in a mini-cluster, the
 * stack's sidecar, the sample scenario driving the chain. Then two replays, each with a sidecar of
 * its own, read that chain from block 0: every batch the chain paid is a {@code match}, and both
 * print the very same bytes.
 */
class ReplayLoopIT {

  private static final BigInteger FEE = new BigInteger("3000000000000000001"); // the scenario's

  @TempDir Path dir;

  @Test
  void shouldMatchEverySettledBatchAndPrintTheSameBytesTwiceWhenReplayingARealRun()
      throws Exception {
    // Kept under target/ with the logs: bin/openledger replay --deployment can replay the run
    // again.
    Path deployment;
    Path content;
    Path logs;
    Map<String, String> addresses;
    try (PipelineRun run = new PipelineRun("replay-loop", "replay", dir, Map.of())) {
      deployment = run.deployment;
      content = run.content;
      logs = run.logs;
      addresses = run.addresses();
      run.start();
      assertThat(run.scenario()).as("scenario exit status").isZero();
      PipelineRun.rpc("anvil_mine", "[\"0x19\"]"); // past the 20-block settlement window
      run.awaitSettled(FEE);
    }

    // Both replays read to the same head, whatever the dev node mines in between.
    long head;
    try (ChainLog chain = new ChainLog(LocalStack.evmRpcUrl().toString(), addresses, 10_000)) {
      head = chain.head();
    }
    String first = replay(deployment, content, head, logs.resolve("replay-1.err"));
    String second = replay(deployment, content, head, logs.resolve("replay-2.err"));
    Files.writeString(logs.resolve("replay.out"), first);

    assertThat(second).as("a second replay's output").isEqualTo(first);
    List<String> verdicts =
        Arrays.stream(first.split("\n")).filter(l -> l.startsWith("batch ")).toList();
    assertThat(verdicts).anyMatch(l -> l.contains(": match ("));
    assertThat(verdicts)
        .allMatch(
            l ->
                l.contains(": match (")
                    || l.contains(": zero-wei batch")
                    || l.contains(": closed by the replay, not settled on chain yet"));
    assertThat(first).contains(" 0 differ,");
  }

  /** One replay of the dev chain, with its own sidecar; its standard output. */
  private static String replay(Path deployment, Path content, long head, Path progress)
      throws Exception {
    ReplayApp.Options options =
        ReplayApp.Options.parse(
            new String[] {
              "--rpc",
              LocalStack.evmRpcUrl().toString(),
              "--deployment",
              deployment.toString(),
              "--to",
              Long.toString(head)
            },
            Map.of(
                "OPENLEDGER_LOCAL_DIR",
                PipelineRun.localDir().toString(),
                "OPENLEDGER_ROOT",
                Path.of("..").toAbsolutePath().normalize().toString()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream err =
        new PrintStream(Files.newOutputStream(progress), true, StandardCharsets.UTF_8)) {
      ReplayApp.run(
          options,
          Map.of(
              "OPENLEDGER_CONTENT_FETCH_SCHEMES",
              "file",
              "OPENLEDGER_CONTENT_FETCH_ROOT",
              content.toString()),
          new PrintStream(out, true, StandardCharsets.UTF_8),
          err);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
