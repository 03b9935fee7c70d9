package org.openledger.flink.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.openledger.flink.PipelineApp;
import org.openledger.flink.attribution.AttributionJobIT;
import org.openledger.flink.config.PipelineConfig;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.LocalStack;

/**
 * The parts of a whole-loop IT on the shared test stack: the ledger bridge's apps started as
 * processes on the module's built classpath, the pipeline's config for a topic prefix, reads of a
 * topic's committed records and the dev node's RPC. PaymentLoopIT and GovernanceChangeIT share it.
 */
final class LoopParts {

  static final ObjectMapper JSON = new ObjectMapper();

  /** The dev deployment's treasury: the protocol's payee. */
  static final String TREASURY = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";

  private LoopParts() {}

  /** The bridge apps' environment: one follower, decoder and settlement writer per prefix. */
  static Map<String, String> bridgeEnv(Path dir, String prefix, Path deployment) throws Exception {
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
    env.put("OPENLEDGER_CONTENT_DIR", Files.createDirectories(dir.resolve("content")).toString());
    return env;
  }

  /** The pipeline's config; content is fetched only as file:// under {@code content}. */
  static PipelineConfig config(String prefix, Path content) throws Exception {
    PipelineConfig config =
        PipelineConfig.load(
            Map.of(
                "OPENLEDGER_KAFKA_BOOTSTRAP",
                LocalStack.kafkaBootstrap(),
                "OPENLEDGER_REGISTRY_URL",
                LocalStack.registryUrl().toString(),
                "OPENLEDGER_SIDECAR_FLIGHT_URI",
                LocalStack.sidecarFlightUri().toString(),
                "OPENLEDGER_TOPIC_PREFIX",
                prefix,
                "OPENLEDGER_PAYMENT_PROTOCOL_ADDRESS",
                TREASURY,
                "OPENLEDGER_CHECKPOINT_INTERVAL_MS",
                "500",
                "OPENLEDGER_CONTENT_FETCH_SCHEMES",
                "file",
                "OPENLEDGER_CONTENT_FETCH_ROOT",
                content.toString()),
            Optional.empty());
    PipelineApp.ensureAttributionTopics(config);
    PipelineApp.ensurePaymentTopics(config);
    return config;
  }

  /**
   * Starts the chain follower and the decoder as processes (added to {@code parts}, for the caller
   * to stop) and the attribution and payment jobs in one mini-cluster; returns the job's client.
   */
  static JobClient startPipeline(
      Map<String, String> env,
      Path logs,
      String prefix,
      Path content,
      List<Process> parts,
      String jobName)
      throws Exception {
    parts.add(run(env, logs.resolve("follower.log"), "org.openledger.bridge.follow.FollowerApp"));
    parts.add(run(env, logs.resolve("decoder.log"), "org.openledger.bridge.streams.DecoderApp"));
    PipelineConfig config = config(prefix, content);
    StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
    flink.enableCheckpointing(config.checkpointIntervalMs());
    PipelineApp.attributionJob(config).build(flink);
    PipelineApp.paymentJob(config).build(flink);
    return flink.executeAsync(jobName);
  }

  /** Starts one of the ledger bridge's apps as a process, on the module's built classpath. */
  static Process run(Map<String, String> env, Path log, String mainClass, String... args)
      throws Exception {
    Path bridge = Path.of("..", "ledger-bridge", "target");
    String jar;
    try (var files = Files.list(bridge)) {
      jar =
          files
              .map(Path::toString)
              .filter(f -> f.matches(".*/ledger-bridge-[^/]*\\.jar") && !f.endsWith("-tests.jar"))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("ledger-bridge is not packaged"));
    }
    String classpath = jar + ":" + Files.readString(bridge.resolve("classpath.txt")).trim();
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-cp",
                classpath,
                mainClass));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    return builder.start();
  }

  /** Every committed record of {@code prefix + topic}, decoded. */
  static <T extends SpecificRecord> List<T> read(String prefix, Topic topic, Class<T> type) {
    String name = prefix + topic.name();
    var serde =
        new ConfluentAvroSerde<>(
            topic.withName(name), new SchemaRegistryClient(LocalStack.registryUrl()), type);
    return AttributionJobIT.readCommitted(name, 1, 2).stream().map(serde::decode).toList();
  }

  /** Waits until the committed accruals of {@code prefix} add up to {@code fees}; returns them. */
  static List<PayoutAccrual> awaitAccruals(String prefix, BigInteger fees) throws Exception {
    long deadline = System.nanoTime() + 180_000_000_000L;
    List<PayoutAccrual> accruals = List.of();
    while (System.nanoTime() < deadline) {
      accruals = read(prefix, Topics.PAYOUT_ACCRUALS, PayoutAccrual.class);
      BigInteger sum = BigInteger.ZERO;
      for (PayoutAccrual a : accruals) {
        BigInteger amount = a.getAmount().toBigIntegerExact();
        sum = a.getRemoved() ? sum.subtract(amount) : sum.add(amount);
      }
      if (sum.equals(fees)) {
        return accruals;
      }
    }
    throw new AssertionError("accruals never added up to the fees: " + accruals);
  }

  /**
   * Waits until the batches settled on chain by {@code settlement} add up to {@code fees}; returns
   * them. The writer proposes, then pays once the challenge window's blocks have passed: the dev
   * node mines only when sent a transaction, so this keeps it moving.
   */
  static List<ChainReader.Settled> awaitSettled(
      ChainReader chain, String settlement, BigInteger fees) throws Exception {
    List<ChainReader.Settled> settled = List.of();
    BigInteger total = BigInteger.ZERO;
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline && total.compareTo(fees) < 0) {
      Thread.sleep(500);
      mine(1);
      settled = chain.settled(settlement, null);
      total =
          settled.stream().map(ChainReader.Settled::total).reduce(BigInteger.ZERO, BigInteger::add);
    }
    return settled;
  }

  /** Mines {@code blocks} empty blocks on the dev node. */
  static void mine(int blocks) throws Exception {
    rpc("anvil_mine", "[\"0x" + Integer.toHexString(blocks) + "\"]");
  }

  /** One JSON-RPC call to the dev node; its result, or an exception with its error. */
  static JsonNode rpc(String method, String params) throws Exception {
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
    JsonNode json = JSON.readTree(response.body());
    if (json.has("error")) {
      throw new IllegalStateException(method + ": " + json.get("error"));
    }
    return json.get("result");
  }
}
