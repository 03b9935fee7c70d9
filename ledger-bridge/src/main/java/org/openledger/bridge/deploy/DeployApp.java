package org.openledger.bridge.deploy;

import java.nio.file.Files;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/openledger deploy [--fresh]}: deploys the contract set to the configured chain and
 * writes the deployment file. Deploying again against the same chain does nothing new unless {@code
 * --fresh} is given.
 */
public final class DeployApp {

  private static final Logger LOG = LoggerFactory.getLogger(DeployApp.class);

  /** The dev account `bin/openledger watch` challenges with on the dev chain (no role). */
  public static final int DEV_WATCHER = 8;

  /** The OPEN (wei) the dev deployment gives the dev watcher for its challenge bonds. */
  public static final java.math.BigInteger DEV_WATCHER_FUNDS =
      java.math.BigInteger.TEN.pow(18).multiply(java.math.BigInteger.valueOf(1_000));

  private DeployApp() {}

  /** A value the build recorded (e.g. the EVM version the contracts were compiled for). */
  static String buildProperty(String name) throws java.io.IOException {
    java.util.Properties build = new java.util.Properties();
    try (var in = DeployApp.class.getResourceAsStream("/openledger-build.properties")) {
      build.load(in);
    }
    return build.getProperty(name);
  }

  public static void main(String[] args) throws Exception {
    boolean fresh = args.length > 0 && args[0].equals("--fresh");
    deployOrReuse(DeployConfig.load(System.getenv()), fresh);
  }

  /**
   * Deploys a new contract set, or returns the one the deployment file names when it is live on the
   * configured chain and {@code fresh} is false.
   */
  public static Deployment deployOrReuse(DeployConfig config, boolean fresh) throws Exception {
    try (Chain chain = new Chain(config.rpcUrl(), config.chainId())) {
      long nodeChainId = chain.nodeChainId();
      if (nodeChainId != config.chainId()) {
        throw new IllegalStateException(
            "the node at "
                + config.rpcUrl()
                + " serves chain "
                + nodeChainId
                + ", expected "
                + config.chainId());
      }
      if (!fresh && Files.exists(config.deploymentFile())) {
        Deployment existing = Deployment.read(config.deploymentFile());
        if (Deployer.isLive(chain, existing)) {
          LOG.info(
              "already deployed on chain {} from block {}: {} (use --fresh for a new set)",
              existing.chainId(),
              existing.startBlock(),
              config.deploymentFile());
          return existing;
        }
        LOG.info(
            "{} names contracts not live on this chain or built from other sources: deploying anew",
            config.deploymentFile());
      }
      Deployer deployer = new Deployer(chain, config.deployer(), buildProperty("evm.version"));
      Deployment deployment =
          deployer.deploy(
              DeploymentPlan.dev(config.settler(), config.flagger(), config.treasury())
                  .withMinimums(config.minimums())
                  .withShare(config.share())
                  .withChallenge(config.challenge()));
      if (config.chainId() == DevAccounts.DEV_CHAIN_ID) {
        // The dev watcher (`bin/openledger watch`, dev account 8) bonds its challenges in OPEN.
        deployer.fund(
            deployment, DevAccounts.devNode().account(DEV_WATCHER).getAddress(), DEV_WATCHER_FUNDS);
      }
      deployment.write(config.deploymentFile());
      LOG.info(
          "deployed {} contracts on chain {} from block {} to {}",
          deployment.contracts().size(),
          deployment.chainId(),
          deployment.startBlock(),
          config.deploymentFile());
      deployment.contracts().forEach((name, c) -> LOG.info("  {} {}", name, c.address()));
      return deployment;
    }
  }
}
