package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

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
              before.maxPayeesPerBatch);

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
}
