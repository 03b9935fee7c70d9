package org.openledger.bridge.follow;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openledger.bridge.metrics.MetricsEndpoint;
import org.openledger.config.ConfigKey;
import org.openledger.config.ConfigSource;
import org.openledger.schemas.Topics;

/** The validated configuration of the chain follower ({@link FollowerApp}). */
public record FollowerConfig(
    String rpcUrl,
    long chainId,
    String kafkaBootstrap,
    String registryUrl,
    Path deploymentFile,
    long confirmations,
    long maxBlocksPerPoll,
    long targetLogsPerTransaction,
    long pollIntervalMs,
    int reorgWindow,
    String followerId,
    String rawTopic,
    String cursorTopic,
    int metricsPort,
    String wsUrl,
    String host) {

  public static final ConfigKey<String> RPC_URL =
      ConfigKey.string("evm.rpc.url", "http://127.0.0.1:8545", "JSON-RPC URL of the EVM node");
  public static final ConfigKey<Long> CHAIN_ID =
      ConfigKey.atLeast("evm.chain.id", 1337, 1, "EIP-155 chain id the node must serve");
  public static final ConfigKey<String> KAFKA =
      ConfigKey.string("kafka.bootstrap", "127.0.0.1:9092", "Kafka bootstrap servers");
  public static final ConfigKey<String> REGISTRY =
      ConfigKey.string(
          "registry.url", "http://127.0.0.1:8085/apis/ccompat/v7", "Confluent-API schema registry");
  public static final ConfigKey<String> DEPLOYMENT =
      ConfigKey.string("deployment.file", ".run/deployment.json", "the contracts to follow");
  public static final ConfigKey<Long> CONFIRMATIONS =
      ConfigKey.atLeast(
          "follower.confirmations", 0, 0, "read only blocks this deep (0 for QBFT finality)");
  public static final ConfigKey<Long> MAX_BLOCKS =
      ConfigKey.atLeast(
          "follower.max.blocks.per.poll",
          2000,
          1,
          "the most blocks one step reads (eth_getLogs range); halved while the node refuses");
  public static final ConfigKey<Long> TARGET_LOGS =
      ConfigKey.atLeast(
          "follower.target.logs.per.transaction",
          5000,
          1,
          "logs one step aims to write in one Kafka transaction: the range grows on sparse"
              + " history and shrinks on dense history");
  public static final ConfigKey<Long> POLL_MS =
      ConfigKey.atLeast("follower.poll.interval.ms", 250, 10, "wait when at the head");
  public static final ConfigKey<Long> REORG_WINDOW =
      ConfigKey.atLeast(
          "follower.reorg.window.blocks", 64, 1, "recent blocks kept to compensate a reorg");

  public static final ConfigKey<String> FOLLOWER_ID =
      ConfigKey.string("follower.id", "follower", "names the cursor key and the transactional id");
  public static final ConfigKey<String> PREFIX =
      new ConfigKey<>(
          "topic.prefix", "", "prefix of every topic name (tests)", String::trim, v -> true, "");
  public static final ConfigKey<Integer> METRICS_PORT =
      new ConfigKey<>(
          "follower.metrics.port",
          "9464",
          "port of /metrics on host (0: any free port)",
          v -> Integer.valueOf(v.trim()),
          p -> p >= 0 && p <= 65535,
          "must be 0-65535");

  public static final ConfigKey<String> HOST = MetricsEndpoint.HOST;

  public static final ConfigKey<String> WS_URL =
      new ConfigKey<>(
          "follower.ws.url",
          "",
          "WebSocket JSON-RPC URL for new-head notifications (only wake the loop early);"
              + " empty: the RPC URL with ws://, off: poll only",
          String::trim,
          v -> v.isEmpty() || v.equals("off") || v.startsWith("ws://") || v.startsWith("wss://"),
          "must be empty, off, or a ws:// or wss:// URL");

  private static String wsUrl(String configured, String rpcUrl) {
    if (!configured.isEmpty()) {
      return configured;
    }
    return rpcUrl.startsWith("https://")
        ? "wss://" + rpcUrl.substring("https://".length())
        : rpcUrl.replaceFirst("^http://", "ws://");
  }

  public static FollowerConfig load(Map<String, String> environment) {
    ConfigSource s = ConfigSource.of(environment, Optional.empty());
    s.validate(
        List.of(
            RPC_URL,
            CHAIN_ID,
            KAFKA,
            REGISTRY,
            DEPLOYMENT,
            CONFIRMATIONS,
            MAX_BLOCKS,
            TARGET_LOGS,
            POLL_MS,
            REORG_WINDOW,
            FOLLOWER_ID,
            PREFIX,
            METRICS_PORT,
            WS_URL,
            HOST));
    return new FollowerConfig(
        s.get(RPC_URL),
        s.get(CHAIN_ID),
        s.get(KAFKA),
        s.get(REGISTRY),
        Path.of(s.get(DEPLOYMENT)),
        s.get(CONFIRMATIONS),
        s.get(MAX_BLOCKS),
        s.get(TARGET_LOGS),
        s.get(POLL_MS),
        Math.toIntExact(Math.min(s.get(REORG_WINDOW), 10_000)),
        s.get(FOLLOWER_ID) + "-" + s.get(CHAIN_ID),
        s.get(PREFIX) + Topics.RAW_LOGS.name(),
        s.get(PREFIX) + Topics.FOLLOWER_CURSOR.name(),
        s.get(METRICS_PORT),
        wsUrl(s.get(WS_URL), s.get(RPC_URL)),
        s.get(HOST));
  }
}
