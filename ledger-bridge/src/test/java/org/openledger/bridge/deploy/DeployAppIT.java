package org.openledger.bridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.testing.LocalStack;

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
