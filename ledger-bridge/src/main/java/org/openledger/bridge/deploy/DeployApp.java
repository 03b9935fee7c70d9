package org.openledger.bridge.deploy;

import java.nio.file.Files;
import org.openledger.bridge.chain.Chain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/openledger deploy [--fresh]}: deploys the contract set to the configured chain and
 * writes the deployment file. Deploying again against the same chain does nothing new unless {@code
 * --fresh} is given.
 */
public final class DeployApp {

  private static final Logger LOG = LoggerFactory.getLogger(DeployApp.class);

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
      Deployment deployment =
          new Deployer(chain, config.deployer(), buildProperty("evm.version"))
              .deploy(
                  DeploymentPlan.dev(config.settler(), config.flagger(), config.treasury())
                      .withMinimums(config.minimums())
                      .withShare(config.share())
                      .withChallenge(config.challenge()));
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
