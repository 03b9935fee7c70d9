package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.deploy.DeploymentPlan;
import org.web3j.protocol.exceptions.TransactionException;

/** A real proposal walks through Governor and Timelock on the dev node and changes the params. */
class GovernanceIT {

  @Test
  void shouldChangeProtocolParamsThroughProposeVoteQueueExecute() throws Exception {
    try (LocalChain local = new LocalChain()) {
      ProtocolParams.Params before = local.driver.params(local.deployer).params().send();
      ProtocolParams.Params next =
          new ProtocolParams.Params(
              BigInteger.valueOf(6000),
              BigInteger.valueOf(2500),
              BigInteger.valueOf(1500),
              BigInteger.valueOf(8),
              before.similarityThresholdPpm,
              before.duplicateBoundPpm,
              before.minPayout,
              before.settlementWindowBlocks,
              before.maxPayeesPerBatch,
              before.shareRule,
              before.shareRuleParam);

      var receipt =
          local.driver.changeParams(List.of(local.deployer), next, "Raise the owner share to 25%");

      ProtocolParams.Params after = local.driver.params(local.deployer).params().send();
      assertThat(after.contributorBps).isEqualTo(BigInteger.valueOf(6000));
      assertThat(after.ownerBps).isEqualTo(BigInteger.valueOf(2500));
      assertThat(after.topK).isEqualTo(BigInteger.valueOf(8));
      assertThat(local.driver.params(local.deployer).version().send()).isEqualTo(BigInteger.TWO);
      var changed =
          ProtocolParams.getParamsChangedEvents(receipt).stream()
              .filter(e -> e.version.equals(BigInteger.TWO))
              .findFirst();
      assertThat(changed).isPresent();
    }
  }

  @Test
  void shouldSwitchTheShareRuleOnlyThroughGovernanceAndRefuseAnInvalidRule() throws Exception {
    try (LocalChain local = new LocalChain()) {
      ProtocolParams params = local.driver.params(local.deployer);
      ProtocolParams.Params before = params.params().send();
      assertThat(before.shareRule).isEqualTo(code(DeploymentPlan.DEFAULT_SHARE.code()));
      assertThat(before.shareRuleParam).isEqualTo(code(DeploymentPlan.DEFAULT_SHARE.param()));
      String timelock = local.deployment.roles().governance();

      local.assertReverts(
          params,
          local.deployer,
          params.setParams(withShare(before, 1, 0)),
          "OwnableUnauthorizedAccount(address)");
      // What an executed proposal sends: the owner itself is refused a rule the pipeline lacks.
      for (int[] invalid : new int[][] {{3, 0}, {255, 0}, {2, 0}, {2, 9}, {0, 1}, {1, 1}}) {
        local.assertReverts(
            params,
            timelock,
            params.setParams(withShare(before, invalid[0], invalid[1])),
            "InvalidParams(string)");
      }
      assertThatThrownBy(
              () ->
                  local.driver.changeParams(
                      List.of(local.deployer),
                      withShare(before, 2, 9),
                      "POWER 9 (invalid) #" + System.nanoTime()))
          .as("the proposal passes the vote, its execution reverts")
          .isInstanceOf(TransactionException.class);
      assertThat(params.version().send()).isEqualTo(BigInteger.ONE);

      var receipt =
          local.driver.changeParams(
              List.of(local.deployer), withShare(before, 1, 0), "TOP1 #" + System.nanoTime());

      assertThat(ProtocolParams.getParamsChangedEvents(receipt))
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.version).isEqualTo(BigInteger.TWO);
                assertThat(e.shareRule).isEqualTo(code(1));
                assertThat(e.shareRuleParam).isEqualTo(code(0));
                assertThat(e.contributorBps).isEqualTo(before.contributorBps);
              });
      ProtocolParams.Params after = params.params().send();
      assertThat(after.shareRule).isEqualTo(code(1));
      assertThat(after.shareRuleParam).isEqualTo(code(0));
    }
  }

  private static BigInteger code(int n) {
    return BigInteger.valueOf(n);
  }

  private static ProtocolParams.Params withShare(ProtocolParams.Params p, int rule, int param) {
    return new ProtocolParams.Params(
        p.contributorBps,
        p.ownerBps,
        p.protocolBps,
        p.topK,
        p.similarityThresholdPpm,
        p.duplicateBoundPpm,
        p.minPayout,
        p.settlementWindowBlocks,
        p.maxPayeesPerBatch,
        code(rule),
        code(param));
  }
}
