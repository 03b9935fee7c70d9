package org.openledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.events.BatchSettled;
import org.openledger.flink.PipelineApp;
import org.openledger.flink.config.PipelineConfig;
import org.openledger.testing.LocalStack;

/**
 * The real pipeline on the stack {@code bin/openledger up} started, for the replay module's ITs:
 * contracts deployed on the dev node (a fresh set, topics under a prefix of its own), the bridge's
 * follower, decoder and settlement writer as processes, both jobs in a mini-cluster. Logs, the
 * deployment and the content stay under {@code target/<folder>/<name>}.
 */
final class PipelineRun implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  final String name;
  final Path logs;
  final Path deployment;
  final Path content;
  final Map<String, String> env;
  private final List<Process> parts = new ArrayList<>();
  private Process settlement;
  private JobClient job;

  /**
   * Deploys the contracts; {@code deployEnv} adds deployment keys (e.g. the challenge window).
   *
   * @param state a folder for the decoder's and the settlement writer's state
   */
  PipelineRun(String folder, String kind, Path state, Map<String, String> deployEnv)
      throws Exception {
    this.name = LocalStack.unique(kind);
    this.logs = Files.createDirectories(Path.of("target", folder, name));
    this.deployment = logs.toAbsolutePath().resolve("deployment.json");
    this.content = Files.createDirectories(logs.toAbsolutePath().resolve("content"));
    this.env = bridgeEnv(name + ".", deployment, content, state);
    Map<String, String> deploy = new HashMap<>(env);
    deploy.putAll(deployEnv);
    assertThat(
            run(deploy, logs.resolve("deploy.log"), "org.openledger.bridge.deploy.DeployApp")
                .waitFor())
        .isZero();
  }

  Map<String, String> addresses() throws Exception {
    return Deployment.read(deployment).addressesByName();
  }

  /** Starts the follower, the decoder, both jobs and the settlement writer. */
  void start() throws Exception {
    parts.add(run(env, logs.resolve("follower.log"), "org.openledger.bridge.follow.FollowerApp"));
    parts.add(run(env, logs.resolve("decoder.log"), "org.openledger.bridge.streams.DecoderApp"));
    PipelineConfig config = PipelineConfig.load(pipelineEnv(), Optional.empty());
    PipelineApp.ensureAttributionTopics(config);
    PipelineApp.ensurePaymentTopics(config);
    StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
    flink.enableCheckpointing(config.checkpointIntervalMs());
    PipelineApp.attributionJob(config).build(flink);
    PipelineApp.paymentJob(config).build(flink);
    job = flink.executeAsync(name);
    startSettlement();
  }

  /** (Re)starts the settlement writer; its state folder and consumer group carry over. */
  void startSettlement() throws Exception {
    int n = 0;
    Path log;
    do {
      log = logs.resolve("settlement" + (n++ == 0 ? "" : "-" + n) + ".log");
    } while (Files.exists(log));
    settlement = run(env, log, "org.openledger.bridge.settle.SettlementApp");
  }

  /** Stops the settlement writer and waits until it is gone. */
  void stopSettlement() throws Exception {
    settlement.destroy();
    settlement.waitFor();
  }

  /** Runs the sample scenario as a process (the bin/openledger scenario way); its exit status. */
  int scenario() throws Exception {
    return run(env, logs.resolve("scenario.log"), "org.openledger.bridge.scenario.ScenarioApp")
        .waitFor();
  }

  /** The pipeline's own keys for the jobs (as bin/openledger sets them). */
  Map<String, String> pipelineEnv() throws Exception {
    Map<String, String> p = new HashMap<>();
    p.put("OPENLEDGER_KAFKA_BOOTSTRAP", LocalStack.kafkaBootstrap());
    p.put("OPENLEDGER_REGISTRY_URL", LocalStack.registryUrl().toString());
    p.put("OPENLEDGER_SIDECAR_FLIGHT_URI", LocalStack.sidecarFlightUri().toString());
    p.put("OPENLEDGER_TOPIC_PREFIX", name + ".");
    p.put("OPENLEDGER_PAYMENT_PROTOCOL_ADDRESS", Deployment.read(deployment).roles().treasury());
    p.put("OPENLEDGER_CHECKPOINT_INTERVAL_MS", "500");
    p.put("OPENLEDGER_CONTENT_FETCH_SCHEMES", "file");
    p.put("OPENLEDGER_CONTENT_FETCH_ROOT", content.toString());
    return p;
  }

  /**
   * Waits until the chain has paid out {@code total} in all ({@code BatchSettled}), mining a block
   * a second so that proposals' challenge windows pass and the writer finalizes them.
   */
  void awaitSettled(BigInteger total) throws Exception {
    long deadline = System.nanoTime() + 180_000_000_000L;
    BigInteger paid = BigInteger.ZERO;
    while (System.nanoTime() < deadline && paid.compareTo(total) < 0) {
      Thread.sleep(1000);
      rpc("anvil_mine", "[\"0x1\"]");
      paid = settledTotal();
    }
    assertThat(paid).as("settled on chain").isEqualTo(total);
  }

  /** Everything {@code BatchSettled} paid so far, from the chain's log. */
  BigInteger settledTotal() throws Exception {
    BigInteger[] sum = {BigInteger.ZERO};
    try (ChainLog chain = new ChainLog(LocalStack.evmRpcUrl().toString(), addresses(), 10_000)) {
      chain.read(
          chain.chainId(),
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
    return sum[0];
  }

  @Override
  public void close() throws Exception {
    if (job != null) {
      job.cancel().get();
    }
    parts.forEach(Process::destroy);
    if (settlement != null) {
      settlement.destroy();
    }
  }

  /** The local dev tools (the sidecar's venv) as bin/openledger installs them. */
  static Path localDir() {
    String local = System.getenv("OPENLEDGER_LOCAL_DIR");
    return local == null || local.isBlank() ? Path.of("..", ".local") : Path.of(local);
  }

  private static Map<String, String> bridgeEnv(
      String prefix, Path deployment, Path content, Path state) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("OPENLEDGER_EVM_RPC_URL", LocalStack.evmRpcUrl().toString());
    env.put("OPENLEDGER_KAFKA_BOOTSTRAP", LocalStack.kafkaBootstrap());
    env.put("OPENLEDGER_REGISTRY_URL", LocalStack.registryUrl().toString());
    env.put("OPENLEDGER_DEPLOYMENT_FILE", deployment.toString());
    env.put("OPENLEDGER_TOPIC_PREFIX", prefix);
    env.put("OPENLEDGER_FOLLOWER_ID", prefix + "follower");
    env.put("OPENLEDGER_FOLLOWER_METRICS_PORT", "0");
    env.put(
        "OPENLEDGER_DECODER_STATE_DIR",
        Files.createDirectories(state.resolve("decoder")).toString());
    env.put("OPENLEDGER_DECODER_HTTP_PORT", "0");
    env.put("OPENLEDGER_SETTLEMENT_STATE_DIR", state.resolve("settlement").toString());
    env.put("OPENLEDGER_SETTLEMENT_METRICS_PORT", "0");
    env.put("OPENLEDGER_CONTENT_DIR", content.toString());
    return env;
  }

  /** Starts one of the ledger bridge's apps as a process, on the module's built classpath. */
  static Process run(Map<String, String> env, Path log, String mainClass) throws Exception {
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

  /** A dev-node JSON-RPC call (anvil_mine, ...); an error answer fails. */
  static void rpc(String method, String params) throws Exception {
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
