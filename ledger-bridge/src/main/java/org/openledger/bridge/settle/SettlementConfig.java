package org.openledger.bridge.settle;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.follow.FollowerConfig;
import org.openledger.config.ConfigKey;
import org.openledger.config.ConfigSource;
import org.openledger.schemas.Topics;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;

/**
 * The validated configuration of the settlement writer ({@link SettlementApp}). The settler's key
 * is a secret; on the dev chain (1337) it defaults to the dev node's account 1, which the deployer
 * gave SETTLER_ROLE.
 */
public record SettlementConfig(
    String rpcUrl,
    long chainId,
    String kafkaBootstrap,
    String registryUrl,
    Path deploymentFile,
    String batchesTopic,
    String deadLetterTopic,
    String groupId,
    Credentials settler,
    Path stateDir,
    SettlementWriter.Timing timing,
    int maxInFlight,
    int metricsPort,
    String host) {

  // The chain, Kafka and topic keys mean what they mean for the follower: one definition each.
  public static final ConfigKey<String> RPC_URL = FollowerConfig.RPC_URL;
  public static final ConfigKey<Long> CHAIN_ID = FollowerConfig.CHAIN_ID;
  public static final ConfigKey<String> KAFKA = FollowerConfig.KAFKA;
  public static final ConfigKey<String> REGISTRY = FollowerConfig.REGISTRY;
  public static final ConfigKey<String> DEPLOYMENT =
      ConfigKey.string("deployment.file", ".run/deployment.json", "the contracts to settle on");
  public static final ConfigKey<String> PREFIX = FollowerConfig.PREFIX;
  public static final ConfigKey<String> HOST = FollowerConfig.HOST;
  public static final ConfigKey<String> GROUP =
      ConfigKey.string(
          "settlement.group.id", "openledger-settlement", "consumer group of payout.batches");
  public static final ConfigKey<String> SETTLER_KEY =
      ConfigKey.secret(
          "settler.key", "private key (hex) of the SETTLER_ROLE account; dev account 1 on 1337");
  public static final ConfigKey<String> STATE_DIR =
      ConfigKey.string(
          "settlement.state.dir",
          ".run/settlement",
          "where the writer records its signed transactions (keep it across restarts)");
  public static final ConfigKey<Long> CONFIRMATIONS =
      ConfigKey.atLeast(
          "settlement.confirmations", 0, 0, "blocks a settle receipt must be under the head");
  public static final ConfigKey<Long> STUCK_MS =
      ConfigKey.atLeast(
          "settlement.stuck.after.ms",
          30_000,
          1_000,
          "an unmined settle is replaced (same nonce, higher gas price) after this long");
  public static final ConfigKey<Long> POLL_MS =
      ConfigKey.atLeast(
          "settlement.poll.interval.ms", 200, 10, "how often a pending batch is looked at");
  public static final ConfigKey<Integer> MAX_IN_FLIGHT =
      new ConfigKey<>(
          "settlement.max.in.flight",
          "16",
          "batches on their way at once (proposals still leave in window order); 1: one at a time",
          v -> Integer.valueOf(v.trim()),
          n -> n >= 1 && n <= 1024,
          "must be 1-1024");
  public static final ConfigKey<Integer> METRICS_PORT =
      new ConfigKey<>(
          "settlement.metrics.port",
          "9466",
          "port of /metrics on host (0: any free port)",
          v -> Integer.valueOf(v.trim()),
          p -> p >= 0 && p <= 65535,
          "must be 0-65535");

  public static SettlementConfig load(Map<String, String> environment) {
    ConfigSource s = ConfigSource.of(environment, Optional.empty());
    s.validate(
        List.of(
            RPC_URL,
            CHAIN_ID,
            KAFKA,
            REGISTRY,
            DEPLOYMENT,
            PREFIX,
            GROUP,
            SETTLER_KEY,
            STATE_DIR,
            CONFIRMATIONS,
            STUCK_MS,
            POLL_MS,
            MAX_IN_FLIGHT,
            METRICS_PORT,
            HOST));
    long chainId = s.get(CHAIN_ID);
    return new SettlementConfig(
        s.get(RPC_URL),
        chainId,
        s.get(KAFKA),
        s.get(REGISTRY),
        Path.of(s.get(DEPLOYMENT)),
        s.get(PREFIX) + Topics.PAYOUT_BATCHES.name(),
        s.get(PREFIX) + Topics.DEAD_LETTERS.name(),
        s.get(PREFIX) + s.get(GROUP),
        settler(s.get(SETTLER_KEY), chainId),
        Path.of(s.get(STATE_DIR)),
        new SettlementWriter.Timing(s.get(CONFIRMATIONS), s.get(STUCK_MS), s.get(POLL_MS), 30_000),
        s.get(MAX_IN_FLIGHT),
        s.get(METRICS_PORT),
        s.get(HOST));
  }

  private static Credentials settler(String key, long chainId) {
    if (!key.isEmpty()) {
      if (!WalletUtils.isValidPrivateKey(key)) {
        throw new IllegalArgumentException("settler.key is not a private key");
      }
      return Credentials.create(key);
    }
    if (chainId != DevAccounts.DEV_CHAIN_ID) {
      throw new IllegalArgumentException(
          "settler.key is required on chain " + chainId + " (only the dev chain has a default)");
    }
    return DevAccounts.devNode().account(1);
  }
}
