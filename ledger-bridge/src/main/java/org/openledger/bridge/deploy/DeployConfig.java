package org.openledger.bridge.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.config.ConfigKey;
import org.openledger.config.ConfigSource;
import org.openledger.events.ShareRule;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;

/**
 * The validated configuration of {@code bin/openledger deploy}. The deployer key comes from a file
 * or the environment; on the dev chain (id 1337) only, missing keys and role addresses fall back to
 * the dev node's public mnemonic (account 0 deploys, 1 settles, 2 flags, 3 is the treasury). The
 * initial governed minimums (inference fee, contribution stake) and share rule are set here too.
 */
public record DeployConfig(
    String rpcUrl,
    long chainId,
    Path deploymentFile,
    Credentials deployer,
    String settler,
    String flagger,
    String treasury,
    DeploymentPlan.Minimums minimums,
    DeploymentPlan.Share share,
    DeploymentPlan.Challenge challenge) {

  public static final ConfigKey<String> RPC_URL =
      ConfigKey.string("evm.rpc.url", "http://127.0.0.1:8545", "JSON-RPC URL of the EVM node");
  public static final ConfigKey<Long> CHAIN_ID =
      ConfigKey.atLeast("evm.chain.id", DevAccounts.DEV_CHAIN_ID, 1, "EIP-155 chain id expected");
  public static final ConfigKey<String> DEPLOYMENT_FILE =
      ConfigKey.string(
          "deployment.file", ".run/deployment.json", "where the deployment is written");
  public static final ConfigKey<String> DEPLOYER_KEY =
      ConfigKey.secret(
          "deployer.key", "the deployer's private key (hex); prefer deployer.key.file");
  public static final ConfigKey<String> DEPLOYER_KEY_FILE =
      new ConfigKey<>(
          "deployer.key.file",
          "",
          "file holding the deployer's private key (hex)",
          String::trim,
          s -> s.isEmpty() || Files.isReadable(Path.of(s)),
          "must be a readable file");
  public static final ConfigKey<String> DEV_MNEMONIC =
      ConfigKey.secret("dev.mnemonic", "mnemonic of the dev chain's accounts (chain 1337 only)");
  public static final ConfigKey<String> SETTLER =
      address("settler.address", "holder of SETTLER_ROLE");
  public static final ConfigKey<String> FLAGGER =
      address(
          "flagger.address",
          "holder of FLAGGER_ROLE (the slash submitter's key; SLASHER_ROLE goes to the timelock)");
  public static final ConfigKey<String> TREASURY =
      address("treasury.address", "receives slashed stakes and the protocol share");

  public static final ConfigKey<BigInteger> MIN_INFERENCE_FEE =
      wei(
          "min.inference.fee",
          "1000000000000000",
          "smallest fee the market accepts for one inference, in wei (0.001 OPEN by default);"
              + " governance changes it later");
  public static final ConfigKey<BigInteger> MIN_CONTRIBUTION_STAKE =
      wei(
          "min.contribution.stake",
          "100000000000000000",
          "floor of every Datanet's minimum stake and every contribution's stake, in wei (0.1 OPEN"
              + " by default); governance changes it later");

  public static final ConfigKey<Long> CHALLENGE_WINDOW_BLOCKS =
      ConfigKey.atLeast(
          "challenge.window.blocks",
          DeploymentPlan.DEV_CHALLENGE.windowBlocks(),
          1,
          "blocks after a settlement proposal in which anyone may challenge it (3 for the dev"
              + " chain; a production chain sets about a day's blocks, e.g. 43200 at 2 s);"
              + " governance changes it later");
  public static final ConfigKey<BigInteger> PROPOSER_BOND =
      wei(
          "challenge.proposer.bond",
          DeploymentPlan.DEV_CHALLENGE.proposerBond().toString(),
          "OPEN (wei) the settler bonds on each proposal, lost to an upheld challenge");
  public static final ConfigKey<BigInteger> CHALLENGER_BOND =
      wei(
          "challenge.challenger.bond",
          DeploymentPlan.DEV_CHALLENGE.challengerBond().toString(),
          "OPEN (wei) a challenge bonds, lost to the treasury when governance rejects it");
  public static final ConfigKey<BigInteger> SETTLER_FUNDS =
      wei(
          "settler.bond.funds",
          DeploymentPlan.DEV_CHALLENGE.settlerFunds().toString(),
          "OPEN (wei) the deployer gives the settler for its proposal bonds");

  /** POWER's exponent when share.rule.param is not set (the default rule's, if it is POWER). */
  static final int DEFAULT_POWER =
      DeploymentPlan.DEFAULT_SHARE.rule() == ShareRule.POWER
          ? DeploymentPlan.DEFAULT_SHARE.param()
          : 3;

  /** share.rule.param left empty: the rule's usual parameter. */
  private static final int RULES_OWN = -1;

  public static final ConfigKey<ShareRule> SHARE_RULE =
      new ConfigKey<>(
          "share.rule",
          DeploymentPlan.DEFAULT_SHARE.rule().name(),
          "initial share rule (how scores become the weights the contributor pool splits by,"
              + " docs/PAYMENTS.md): LINEAR, TOP1 or POWER; governance changes it later",
          s -> shareRule(s.trim()),
          r -> r != null,
          "must be LINEAR, TOP1 or POWER");
  public static final ConfigKey<Integer> SHARE_RULE_PARAM =
      new ConfigKey<>(
          "share.rule.param",
          "",
          "the initial share rule's parameter: POWER's exponent 1 to "
              + DeploymentPlan.MAX_POWER
              + "; 0 for LINEAR and TOP1; empty: the rule's usual one (POWER "
              + DEFAULT_POWER
              + ", the others 0)",
          s -> s.isBlank() ? RULES_OWN : Integer.valueOf(s.trim()),
          p -> p == RULES_OWN || (p >= 0 && p <= DeploymentPlan.MAX_POWER),
          "must be empty or an integer 0 to " + DeploymentPlan.MAX_POWER);

  public static DeployConfig load(Map<String, String> environment) {
    ConfigSource source = ConfigSource.of(environment, Optional.empty());
    source.validate(
        List.of(
            RPC_URL,
            CHAIN_ID,
            DEPLOYMENT_FILE,
            DEPLOYER_KEY,
            DEPLOYER_KEY_FILE,
            DEV_MNEMONIC,
            SETTLER,
            FLAGGER,
            TREASURY,
            MIN_INFERENCE_FEE,
            MIN_CONTRIBUTION_STAKE,
            SHARE_RULE,
            SHARE_RULE_PARAM,
            CHALLENGE_WINDOW_BLOCKS,
            PROPOSER_BOND,
            CHALLENGER_BOND,
            SETTLER_FUNDS));
    long chainId = source.get(CHAIN_ID);
    boolean dev = chainId == DevAccounts.DEV_CHAIN_ID;
    String mnemonic =
        source.get(DEV_MNEMONIC).isEmpty()
            ? DevAccounts.DEV_NODE_MNEMONIC
            : source.get(DEV_MNEMONIC);
    DevAccounts devAccounts = dev ? new DevAccounts(mnemonic) : null;

    Credentials deployer = deployerKey(source, devAccounts);
    return new DeployConfig(
        source.get(RPC_URL),
        chainId,
        Path.of(source.get(DEPLOYMENT_FILE)),
        deployer,
        role(source, SETTLER, devAccounts, 1),
        role(source, FLAGGER, devAccounts, 2),
        role(source, TREASURY, devAccounts, 3),
        new DeploymentPlan.Minimums(
            source.get(MIN_INFERENCE_FEE), source.get(MIN_CONTRIBUTION_STAKE)),
        share(source.get(SHARE_RULE), source.get(SHARE_RULE_PARAM)),
        new DeploymentPlan.Challenge(
            source.get(CHALLENGE_WINDOW_BLOCKS),
            source.get(PROPOSER_BOND),
            source.get(CHALLENGER_BOND),
            source.get(SETTLER_FUNDS)));
  }

  /** The two keys together: POWER needs an exponent, the other rules none. */
  private static DeploymentPlan.Share share(ShareRule rule, int given) {
    int param = given != RULES_OWN ? given : rule == ShareRule.POWER ? DEFAULT_POWER : 0;
    try {
      return new DeploymentPlan.Share(rule, param);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          SHARE_RULE.name()
              + "="
              + rule
              + ", "
              + SHARE_RULE_PARAM.name()
              + "="
              + param
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** A rule by its name, any case; null when there is none by that name. */
  private static ShareRule shareRule(String name) {
    for (ShareRule r : ShareRule.values()) {
      if (r.name().equalsIgnoreCase(name)) {
        return r;
      }
    }
    return null;
  }

  private static Credentials deployerKey(ConfigSource source, DevAccounts dev) {
    String key = source.get(DEPLOYER_KEY);
    String file = source.get(DEPLOYER_KEY_FILE);
    if (!file.isEmpty()) {
      try {
        key = Files.readString(Path.of(file)).trim();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read deployer.key.file", e);
      }
    }
    if (!key.isEmpty()) {
      if (!WalletUtils.isValidPrivateKey(key)) {
        throw new IllegalArgumentException(
            "deployer key is not a valid private key (value not shown)");
      }
      return Credentials.create(key);
    }
    if (dev == null) {
      throw new IllegalArgumentException(
          "deployer.key or deployer.key.file is required on a chain other than the dev chain 1337");
    }
    return dev.account(0);
  }

  private static String role(
      ConfigSource source, ConfigKey<String> key, DevAccounts dev, int index) {
    String value = source.get(key);
    if (!value.isEmpty()) {
      return value;
    }
    if (dev == null) {
      throw new IllegalArgumentException(key.name() + " is required on a chain other than 1337");
    }
    return dev.account(index).getAddress();
  }

  private static ConfigKey<BigInteger> wei(String name, String defaultValue, String description) {
    return new ConfigKey<>(
        name,
        defaultValue,
        description,
        s -> new BigInteger(s.trim()),
        v -> v.signum() >= 0 && v.bitLength() <= 256,
        "must be a whole number of wei, 0 to 2^256-1");
  }

  private static ConfigKey<String> address(String name, String description) {
    return new ConfigKey<>(
        name,
        "",
        description + " (0x address; dev accounts by default on chain 1337)",
        String::trim,
        s -> s.isEmpty() || WalletUtils.isValidAddress(s),
        "must be a 0x address");
  }
}
