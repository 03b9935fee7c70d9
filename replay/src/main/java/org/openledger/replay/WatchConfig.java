package org.openledger.replay;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.follow.FollowerConfig;
import org.openledger.bridge.metrics.MetricsEndpoint;
import org.openledger.config.ConfigKey;
import org.openledger.config.ConfigSource;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;

/**
 * The validated configuration of {@code watch} beyond the replay's command line: the challenger's
 * key (a secret; on the dev chain it defaults to dev account 8, which holds no role, and never to
 * the settler's), where challenges are journaled, how far behind the head to replay, how often to
 * look, and the metrics port.
 */
record WatchConfig(
    Credentials challenger,
    Path stateDir,
    long confirmations,
    long pollMillis,
    int metricsPort,
    String host) {

  /** The dev account the watcher challenges with on the dev chain: no role, not the settler. */
  static final int DEV_CHALLENGER = org.openledger.bridge.deploy.DeployApp.DEV_WATCHER;

  static final ConfigKey<Long> CHAIN_ID = FollowerConfig.CHAIN_ID;
  static final ConfigKey<String> CHALLENGER_KEY =
      ConfigKey.secret(
          "challenger.key",
          "private key (hex) the watcher challenges with (it needs OPEN for the bonds and gas);"
              + " dev account "
              + DEV_CHALLENGER
              + " on 1337");
  static final ConfigKey<String> STATE_DIR =
      ConfigKey.string(
          "watch.state.dir",
          ".run/watch",
          "where the watcher journals its challenges (keep it across restarts)");
  static final ConfigKey<Long> CONFIRMATIONS =
      ConfigKey.atLeast(
          "watch.confirmations",
          0,
          0,
          "blocks below the head the watcher replays to (the safe head); keep it well under the"
              + " challenge window");
  static final ConfigKey<Long> POLL_MS =
      ConfigKey.atLeast(
          "watch.poll.interval.ms", 500, 10, "how often the watcher looks for blocks");
  static final ConfigKey<Integer> METRICS_PORT =
      new ConfigKey<>(
          "watch.metrics.port",
          "9469",
          "port of /metrics on host (0: any free port)",
          v -> Integer.valueOf(v.trim()),
          p -> p >= 0 && p <= 65535,
          "must be 0-65535");

  /**
   * @param settler the deployment's settler ({@code roles.settler}): refused as the challenger
   */
  static WatchConfig load(Map<String, String> environment, String settler) {
    ConfigSource s = ConfigSource.of(environment, Optional.empty());
    s.validate(
        List.of(
            CHAIN_ID,
            CHALLENGER_KEY,
            STATE_DIR,
            CONFIRMATIONS,
            POLL_MS,
            METRICS_PORT,
            MetricsEndpoint.HOST));
    Credentials challenger = challenger(s.get(CHALLENGER_KEY), s.get(CHAIN_ID));
    if (settler != null && challenger.getAddress().equalsIgnoreCase(settler)) {
      throw new IllegalArgumentException(
          "challenger.key is the settler's key: a watcher must challenge with a key of its own");
    }
    return new WatchConfig(
        challenger,
        Path.of(s.get(STATE_DIR)),
        s.get(CONFIRMATIONS),
        s.get(POLL_MS),
        s.get(METRICS_PORT),
        s.get(MetricsEndpoint.HOST));
  }

  private static Credentials challenger(String key, long chainId) {
    if (!key.isEmpty()) {
      if (!WalletUtils.isValidPrivateKey(key)) {
        throw new IllegalArgumentException("challenger.key is not a private key");
      }
      return Credentials.create(key);
    }
    if (chainId != DevAccounts.DEV_CHAIN_ID) {
      throw new IllegalArgumentException(
          "challenger.key is required on chain " + chainId + " (only the dev chain has a default)");
    }
    return DevAccounts.devNode().account(DEV_CHALLENGER);
  }
}
