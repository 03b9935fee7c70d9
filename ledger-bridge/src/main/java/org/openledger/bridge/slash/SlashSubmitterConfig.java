package org.openledger.bridge.slash;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.follow.FollowerConfig;
import org.openledger.bridge.settle.SettlementConfig;
import org.openledger.config.ConfigKey;
import org.openledger.config.ConfigSource;
import org.openledger.schemas.Topics;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;

/**
 * The validated configuration of the slash submitter ({@link SlashSubmitterApp}). The flagger's key
 * is a secret; on the dev chain (1337) it defaults to the dev node's account 2, which the deployer
 * gave FLAGGER_ROLE.
 */
public record SlashSubmitterConfig(
    String rpcUrl,
    long chainId,
    String kafkaBootstrap,
    String registryUrl,
    Path deploymentFile,
    String proposalsTopic,
    String deadLetterTopic,
    String groupId,
    Credentials flagger,
    SlashSubmitter.Retry retry,
    int metricsPort,
    String host) {

  // The chain, Kafka and topic keys mean what they mean for the follower: one definition each.
  public static final ConfigKey<String> RPC_URL = FollowerConfig.RPC_URL;
  public static final ConfigKey<Long> CHAIN_ID = FollowerConfig.CHAIN_ID;
  public static final ConfigKey<String> KAFKA = FollowerConfig.KAFKA;
  public static final ConfigKey<String> REGISTRY = FollowerConfig.REGISTRY;
  public static final ConfigKey<String> DEPLOYMENT = SettlementConfig.DEPLOYMENT;
  public static final ConfigKey<String> PREFIX = FollowerConfig.PREFIX;
  public static final ConfigKey<String> HOST = FollowerConfig.HOST;
  public static final ConfigKey<String> GROUP =
      ConfigKey.string(
          "slashing.group.id",
          "openledger-slash-submitter",
          "consumer group of attribution.slash-proposals");
  public static final ConfigKey<String> FLAGGER_KEY =
      ConfigKey.secret(
          "flagger.key", "private key (hex) of the FLAGGER_ROLE account; dev account 2 on 1337");
  public static final ConfigKey<Long> MAX_SENDS =
      ConfigKey.atLeast(
          "slashing.max.sends",
          5,
          1,
          "failed flag transactions of one proposal before it goes to the dead letters");
  public static final ConfigKey<Long> BACKOFF_MS =
      ConfigKey.atLeast(
          "slashing.backoff.ms", 500, 0, "first wait after a failed send (then doubling)");
  public static final ConfigKey<Long> BACKOFF_MAX_MS =
      ConfigKey.atLeast("slashing.backoff.max.ms", 30_000, 0, "the longest wait between two tries");
  public static final ConfigKey<Integer> METRICS_PORT =
      new ConfigKey<>(
          "slashing.metrics.port",
          "9468",
          "port of /metrics on host (0: any free port)",
          v -> Integer.valueOf(v.trim()),
          p -> p >= 0 && p <= 65535,
          "must be 0-65535");

  public static SlashSubmitterConfig load(Map<String, String> environment) {
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
            FLAGGER_KEY,
            MAX_SENDS,
            BACKOFF_MS,
            BACKOFF_MAX_MS,
            METRICS_PORT,
            HOST));
    long chainId = s.get(CHAIN_ID);
    long backoff = s.get(BACKOFF_MS);
    return new SlashSubmitterConfig(
        s.get(RPC_URL),
        chainId,
        s.get(KAFKA),
        s.get(REGISTRY),
        Path.of(s.get(DEPLOYMENT)),
        s.get(PREFIX) + Topics.SLASH_PROPOSALS.name(),
        s.get(PREFIX) + Topics.DEAD_LETTERS.name(),
        s.get(PREFIX) + s.get(GROUP),
        flagger(s.get(FLAGGER_KEY), chainId),
        new SlashSubmitter.Retry(
            Math.toIntExact(s.get(MAX_SENDS)), backoff, Math.max(backoff, s.get(BACKOFF_MAX_MS))),
        s.get(METRICS_PORT),
        s.get(HOST));
  }

  private static Credentials flagger(String key, long chainId) {
    if (!key.isEmpty()) {
      if (!WalletUtils.isValidPrivateKey(key)) {
        throw new IllegalArgumentException("flagger.key is not a private key");
      }
      return Credentials.create(key);
    }
    if (chainId != DevAccounts.DEV_CHAIN_ID) {
      throw new IllegalArgumentException(
          "flagger.key is required on chain " + chainId + " (only the dev chain has a default)");
    }
    return DevAccounts.devNode().account(2);
  }
}
