package org.openledger.bridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.contracts.ProtocolParams;
import org.openledger.testing.LocalStack;
import org.web3j.tx.ReadonlyTransactionManager;

/** {@code bin/openledger deploy} against the real dev node: once, then nothing new. */
class DeployAppIT {

  @Test
  void shouldDeployOnceAndReuseTheLiveDeploymentUnlessFresh(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("deployment.json");
    DeployConfig config =
        DeployConfig.load(
            Map.of(
                "OPENLEDGER_EVM_RPC_URL", LocalStack.evmRpcUrl().toString(),
                "OPENLEDGER_DEPLOYMENT_FILE", file.toString()));

    Deployment first = DeployApp.deployOrReuse(config, false);
    Deployment second = DeployApp.deployOrReuse(config, false);
    Deployment fresh = DeployApp.deployOrReuse(config, true);

    assertThat(Deployment.read(file)).isEqualTo(fresh);
    assertThat(second).isEqualTo(first);
    assertThat(fresh.address("Settlement")).isNotEqualTo(first.address("Settlement"));
    assertThat(first.chainId()).isEqualTo(LocalStack.evmChainId());
    assertThat(first.evmVersion()).isEqualTo("cancun");
    assertThat(first.contracts())
        .hasSize(8)
        .allSatisfy((name, c) -> assertThat(c.abiSha256()).hasSize(64));
    assertThat(first.roles().settler()).isNotEqualTo(first.roles().deployer());
    assertThat(first.roles().governance()).isEqualTo(first.address("TimelockController"));
  }

  @Test
  void shouldDeployAnewOverASetFromAnotherBuild(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("deployment.json");
    DeployConfig config =
        DeployConfig.load(
            Map.of(
                "OPENLEDGER_EVM_RPC_URL", LocalStack.evmRpcUrl().toString(),
                "OPENLEDGER_DEPLOYMENT_FILE", file.toString()));
    Deployment first = DeployApp.deployOrReuse(config, false);
    Map<String, Deployment.DeployedContract> older = new java.util.TreeMap<>(first.contracts());
    older.put(
        "Settlement", new Deployment.DeployedContract(first.address("Settlement"), "0".repeat(64)));
    new Deployment(first.chainId(), first.startBlock(), first.evmVersion(), older, first.roles())
        .write(file);

    Deployment second = DeployApp.deployOrReuse(config, false);

    assertThat(second.address("Settlement")).isNotEqualTo(first.address("Settlement"));
    assertThat(Deployment.read(file)).isEqualTo(second);
  }

  @Test
  void shouldDeployWithTheConfiguredMinimums(@TempDir Path dir) throws Exception {
    Map<String, String> env =
        Map.of(
            "OPENLEDGER_EVM_RPC_URL",
            LocalStack.evmRpcUrl().toString(),
            "OPENLEDGER_DEPLOYMENT_FILE",
            dir.resolve("deployment.json").toString(),
            "OPENLEDGER_MIN_INFERENCE_FEE",
            "12345",
            "OPENLEDGER_MIN_CONTRIBUTION_STAKE",
            "678");
    Deployment deployment = DeployApp.deployOrReuse(DeployConfig.load(env), true);
    try (Chain chain = new Chain(LocalStack.evmRpcUrl().toString(), LocalStack.evmChainId())) {
      ProtocolParams params =
          ProtocolParams.load(
              deployment.address("ProtocolParams"),
              chain.web3(),
              new ReadonlyTransactionManager(chain.web3(), deployment.roles().deployer()),
              Chain.GAS);
      assertThat(params.minInferenceFee().send()).isEqualTo(BigInteger.valueOf(12345));
      assertThat(params.minContributionStake().send()).isEqualTo(BigInteger.valueOf(678));
    }
    DeployConfig defaults = DeployConfig.load(Map.of());
    assertThat(defaults.minimums().inferenceFee()).isEqualTo(BigInteger.TEN.pow(15));
    assertThat(defaults.minimums().contributionStake()).isEqualTo(BigInteger.TEN.pow(17));
    assertThatThrownBy(() -> DeployConfig.load(Map.of("OPENLEDGER_MIN_INFERENCE_FEE", "-1")))
        .hasMessageContaining("min.inference.fee");
  }

  @Test
  void shouldRefuseDevKeysOnAnyOtherChain() {
    assertThatThrownBy(() -> DeployConfig.load(Map.of("OPENLEDGER_EVM_CHAIN_ID", "1")))
        .hasMessageContaining("deployer.key or deployer.key.file is required");
  }

  @Test
  void shouldNeverShowAnInvalidKeyInTheError() {
    assertThatThrownBy(
            () -> DeployConfig.load(Map.of("OPENLEDGER_DEPLOYER_KEY", "0xnot-a-key-but-secret")))
        .hasMessageNotContaining("not-a-key-but-secret")
        .hasMessageContaining("value not shown");
  }
}
