package org.openledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.events.BatchSettled;
import org.openledger.flink.PipelineApp;
import org.openledger.flink.config.PipelineConfig;
import org.openledger.testing.LocalStack;

/**
 * Replay against a chain the real pipeline settled: contracts deployed on the dev node, the
 * bridge's follower, decoder and settlement writer as processes, both jobs in a mini-cluster, the
 * stack's sidecar, the sample scenario driving the chain. Then two replays, each with a sidecar of
 * its own, read that chain from block 0: every batch the chain paid is a {@code match}, and both
 * print the very same bytes.
 */
class ReplayLoopIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final BigInteger FEE = new BigInteger("3000000000000000001"); // the scenario's

  @TempDir Path dir;

  @Test
  void shouldMatchEverySettledBatchAndPrintTheSameBytesTwiceWhenReplayingARealRun()
      throws Exception {
    String name = LocalStack.unique("replay");
    String prefix = name + ".";
    Path logs = Files.createDirectories(Path.of("target", "replay-loop", name));
    // Kept under target/ with the logs: bin/openledger replay --deployment can replay the run
    // again.
    Path deployment = logs.toAbsolutePath().resolve("deployment.json");
    Path content = Files.createDirectories(logs.toAbsolutePath().resolve("content"));
    Map<String, String> env = bridgeEnv(prefix, deployment, content);
    assertThat(
            run(env, logs.resolve("deploy.log"), "org.openledger.bridge.deploy.DeployApp")
                .waitFor())
        .isZero();
    Map<String, String> addresses = Deployment.read(deployment).addressesByName();

    List<Process> parts = new ArrayList<>();
    JobClient job = null;
    try {
      parts.add(run(env, logs.resolve("follower.log"), "org.openledger.bridge.follow.FollowerApp"));
      parts.add(run(env, logs.resolve("decoder.log"), "org.openledger.bridge.streams.DecoderApp"));
      PipelineConfig config =
          PipelineConfig.load(pipelineEnv(prefix, content, deployment), Optional.empty());
      PipelineApp.ensureAttributionTopics(config);
      PipelineApp.ensurePaymentTopics(config);
      StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
      flink.enableCheckpointing(config.checkpointIntervalMs());
      PipelineApp.attributionJob(config).build(flink);
      PipelineApp.paymentJob(config).build(flink);
      job = flink.executeAsync("replay-loop " + name);
      parts.add(
          run(env, logs.resolve("settlement.log"), "org.openledger.bridge.settle.SettlementApp"));
      Process scenario =
          run(env, logs.resolve("scenario.log"), "org.openledger.bridge.scenario.ScenarioApp");
      assertThat(scenario.waitFor()).as("scenario exit status").isZero();
      rpc("anvil_mine", "[\"0x19\"]"); // past the 20-block settlement window of the params
      awaitSettled(addresses);
    } finally {
      if (job != null) {
        job.cancel().get();
      }
      parts.forEach(Process::destroy);
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
                localDir().toString(),
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

  private static Path localDir() {
    String local = System.getenv("OPENLEDGER_LOCAL_DIR");
    return local == null || local.isBlank() ? Path.of("..", ".local") : Path.of(local);
  }

  /** Waits until the chain has paid out the scenario's whole fee. */
  private static void awaitSettled(Map<String, String> addresses) throws Exception {
    long deadline = System.nanoTime() + 180_000_000_000L;
    BigInteger total = BigInteger.ZERO;
    while (System.nanoTime() < deadline && total.compareTo(FEE) < 0) {
      Thread.sleep(1000);
      // The dev node mines only when sent a transaction: keep it moving, so a proposed batch's
      // challenge window passes and the writer finalizes it (docs/PAYMENTS.md).
      rpc("anvil_mine", "[\"0x1\"]");
      BigInteger[] sum = {BigInteger.ZERO};
      try (ChainLog chain = new ChainLog(LocalStack.evmRpcUrl().toString(), addresses, 10_000)) {
        long id = chain.chainId();
        chain.read(
            id,
            0,
            chain.head(),
            (seal, events) ->
                events.forEach(
                    e -> {
                      if (e.getEvent() instanceof BatchSettled s) {
                        sum[0] = sum[0].add(s.getTotal().toBigIntegerExact());
                      }
                    }),
            (through, head, logs) -> {});
      }
      total = sum[0];
    }
    assertThat(total).as("settled on chain").isEqualTo(FEE);
  }

  private static Map<String, String> pipelineEnv(String prefix, Path content, Path deployment)
      throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("OPENLEDGER_KAFKA_BOOTSTRAP", LocalStack.kafkaBootstrap());
    env.put("OPENLEDGER_REGISTRY_URL", LocalStack.registryUrl().toString());
    env.put("OPENLEDGER_SIDECAR_FLIGHT_URI", LocalStack.sidecarFlightUri().toString());
    env.put("OPENLEDGER_TOPIC_PREFIX", prefix);
    env.put("OPENLEDGER_PAYMENT_PROTOCOL_ADDRESS", Deployment.read(deployment).roles().treasury());
    env.put("OPENLEDGER_CHECKPOINT_INTERVAL_MS", "500");
    env.put("OPENLEDGER_CONTENT_FETCH_SCHEMES", "file");
    env.put("OPENLEDGER_CONTENT_FETCH_ROOT", content.toString());
    return env;
  }

  private Map<String, String> bridgeEnv(String prefix, Path deployment, Path content)
      throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("OPENLEDGER_EVM_RPC_URL", LocalStack.evmRpcUrl().toString());
    env.put("OPENLEDGER_KAFKA_BOOTSTRAP", LocalStack.kafkaBootstrap());
    env.put("OPENLEDGER_REGISTRY_URL", LocalStack.registryUrl().toString());
    env.put("OPENLEDGER_DEPLOYMENT_FILE", deployment.toString());
    env.put("OPENLEDGER_TOPIC_PREFIX", prefix);
    env.put("OPENLEDGER_FOLLOWER_ID", prefix + "follower");
    env.put("OPENLEDGER_FOLLOWER_METRICS_PORT", "0");
    env.put(
        "OPENLEDGER_DECODER_STATE_DIR", Files.createDirectories(dir.resolve("decoder")).toString());
    env.put("OPENLEDGER_DECODER_HTTP_PORT", "0");
    env.put("OPENLEDGER_SETTLEMENT_STATE_DIR", dir.resolve("settlement").toString());
    env.put("OPENLEDGER_SETTLEMENT_METRICS_PORT", "0");
    env.put("OPENLEDGER_CONTENT_DIR", content.toString());
    return env;
  }

  /** Starts one of the ledger bridge's apps as a process, on the module's built classpath. */
  private static Process run(Map<String, String> env, Path log, String mainClass) throws Exception {
    Path bridge = Path.of("..", "ledger-bridge", "target");
    String jar;
    try (var files = Files.list(bridge)) {
      jar =
          files
              .map(Path::toString)
              .filter(f -> f.matches(".*/ledger-bridge-[^/]*\\.jar") && !f.endsWith("-tests.jar"))
              .filter(f -> !f.endsWith("-app.jar"))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("ledger-bridge is not packaged"));
    }
    String classpath = jar + ":" + Files.readString(bridge.resolve("classpath.txt")).trim();
    ProcessBuilder builder =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx384m",
            "-cp",
            classpath,
            mainClass);
    builder.environment().putAll(env);
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    return builder.start();
  }

  private static void rpc(String method, String params) throws Exception {
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}";
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(LocalStack.evmRpcUrl().toString()))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (JSON.readTree(response.body()).has("error")) {
      throw new IllegalStateException(method + ": " + response.body());
    }
  }
}
