package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.deploy.DeploymentPlan;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;

/**
 * The minimum inference fee and stake floor are governed parameters: fees and stakes below them are
 * refused, and only a passed proposal (Governor, then timelock) changes them.
 */
class GovernedMinimumsIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);

  @Test
  void shouldRefuseFeesAndStakesBelowTheMinimumsAndLetOnlyGovernanceRaiseThem() throws Exception {
    try (LocalChain local = new LocalChain()) {
      Credentials user = local.user(0);
      local.driver.fund(local.deployer, user.getAddress(), OPEN.multiply(BigInteger.TEN));
      var params = local.driver.params(user);
      DeploymentPlan.Minimums dev = DeploymentPlan.DEV_MINIMUMS;
      assertThat(params.minInferenceFee().send()).isEqualTo(dev.inferenceFee());
      assertThat(params.minContributionStake().send()).isEqualTo(dev.contributionStake());
      long openDatanet = local.driver.createDatanet(user, "low-floor", dev.contributionStake());
      long modelId = local.driver.registerModel(user, List.of(openDatanet), 0, "minimums-model");

      var market = local.driver.market(user);
      var registry = local.driver.datanets(user);
      byte[] q = Hash.sha3("q".getBytes(StandardCharsets.UTF_8));
      local.assertReverts(
          market,
          user,
          market.payForInference(
              BigInteger.valueOf(modelId), dev.inferenceFee().subtract(BigInteger.ONE), q, "u"),
          "FeeBelowMinimum(uint256,uint256)");
      local.assertReverts(
          registry,
          user,
          registry.createDatanet("free", BigInteger.ZERO),
          "MinStakeBelowFloor(uint256,uint256)");

      BigInteger fee = OPEN.divide(BigInteger.valueOf(1000));
      BigInteger stake = OPEN.divide(BigInteger.TEN);
      local.assertReverts(
          params,
          local.deployer,
          params.setMinimums(fee, stake),
          "OwnableUnauthorizedAccount(address)");
      var receipt =
          local.driver.changeMinimums(
              List.of(local.deployer), fee, stake, "Raise the minimums #" + System.nanoTime());
      assertThat(ProtocolParams.getMinimumsChangedEvents(receipt))
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.minInferenceFee).isEqualTo(fee);
                assertThat(e.minContributionStake).isEqualTo(stake);
              });
      assertThat(params.minInferenceFee().send()).isEqualTo(fee);
      assertThat(params.minContributionStake().send()).isEqualTo(stake);
      assertThat(params.version().send()).as("ParamsChanged untouched").isEqualTo(BigInteger.ONE);

      BigInteger lessFee = fee.subtract(BigInteger.ONE);
      BigInteger lessStake = stake.subtract(BigInteger.ONE);
      local.assertReverts(
          market,
          user,
          market.payForInference(BigInteger.valueOf(modelId), lessFee, q, "u"),
          "FeeBelowMinimum(uint256,uint256)");
      local.assertReverts(
          registry,
          user,
          registry.createDatanet("cheap", lessStake),
          "MinStakeBelowFloor(uint256,uint256)");
      // The floor binds Datanets opened under a lower one as well.
      local.assertReverts(
          registry,
          user,
          registry.contribute(BigInteger.valueOf(openDatanet), q, "file:///x", lessStake),
          "StakeTooLow(uint256,uint256)");
      local.driver.contribute(user, openDatanet, new byte[] {1}, "file:///x", stake);
      local.driver.payForInference(user, modelId, fee, new byte[] {2}, "file:///q");
      assertThat(local.driver.createDatanet(user, "at-floor", stake)).isPositive();
    }
  }
}
