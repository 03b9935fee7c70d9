package org.openledger.bridge.scenario;

import java.nio.file.Path;
import java.util.List;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.deploy.DeployConfig;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.config.ConfigKey;
import org.openledger.config.ConfigSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/openledger scenario}: runs {@link SampleScenario} on the deployed contracts of the dev
 * chain, so every event the pipeline consumes is on the chain.
 */
public final class ScenarioApp {

  private static final Logger LOG = LoggerFactory.getLogger(ScenarioApp.class);

  /** Where the scenario writes the content and queries it commits to on chain. */
  public static final ConfigKey<String> CONTENT_DIR =
      ConfigKey.string(
          "content.dir", ".run/content", "folder the scenario writes its content files to");

  private ScenarioApp() {}

  public static void main(String[] args) throws Exception {
    DeployConfig config = DeployConfig.load(System.getenv());
    if (config.chainId() != DevAccounts.DEV_CHAIN_ID) {
      throw new IllegalArgumentException("the sample scenario runs on the dev chain 1337 only");
    }
    ConfigSource source = ConfigSource.of(System.getenv(), java.util.Optional.empty());
    source.validate(List.of(CONTENT_DIR));
    Path contentDir = Path.of(source.get(CONTENT_DIR));
    Path file = config.deploymentFile();
    Deployment deployment = Deployment.read(file);
    try (Chain chain = new Chain(config.rpcUrl(), config.chainId())) {
      long from = chain.web3().ethBlockNumber().send().getBlockNumber().longValueExact() + 1;
      SampleScenario.Report report =
          SampleScenario.run(
              chain,
              new ScenarioDriver(chain, deployment),
              DevAccounts.devNode(),
              4,
              new ContentStore(contentDir));
      long to = chain.web3().ethBlockNumber().send().getBlockNumber().longValueExact();
      LOG.info(
          "sample scenario done in blocks {}..{}: datanet {}, model {}, inference {},"
              + " contributor {}, owner {}",
          from,
          to,
          report.datanetId(),
          report.modelId(),
          report.inferenceId(),
          report.contributor().getAddress(),
          report.owner().getAddress());
    }
  }
}
