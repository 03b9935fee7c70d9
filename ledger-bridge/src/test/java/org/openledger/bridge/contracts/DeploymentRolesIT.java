package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.deploy.Deployer;
import org.openledger.bridge.deploy.DeploymentPlan;
import org.web3j.crypto.Credentials;

/**
 * After deployment the deployer key holds no role on any contract: every admin role is the
 * timelock's (governance), the params are the timelock's, and each operational role sits with its
 * own account alone. The deployer's attempts to take any role back are refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeploymentRolesIT {

  private LocalChain local;
  private String me;
  private String timelockAddress;
  private Settlement settlement;
  private DatanetRegistry registry;
  private TimelockController timelock;

  @BeforeAll
  void deploy() throws Exception {
    local = new LocalChain();
    me = local.deployer.getAddress();
    timelockAddress = local.deployment.address("TimelockController");
    settlement = local.driver.settlement(local.deployer);
    registry = local.driver.datanets(local.deployer);
    timelock =
        TimelockController.load(
            timelockAddress, local.chain.web3(), local.chain.signer(local.deployer), Chain.GAS);
  }

  @AfterAll
  void close() {
    local.close();
  }

  @Test
  void shouldLeaveEveryAdminRoleWithTheTimelockAndNoRoleWithTheDeployer() throws Exception {
    assertThat(local.deployment.roles().governance()).isEqualTo(timelockAddress);
    byte[] admin = settlement.DEFAULT_ADMIN_ROLE().send();
    for (byte[] role :
        List.of(admin, settlement.SETTLER_ROLE().send(), settlement.MARKET_ROLE().send())) {
      assertThat(settlement.hasRole(role, me).send()).as("deployer role on Settlement").isFalse();
      assertThat(settlement.getRoleAdmin(role).send()).isEqualTo(admin);
    }
    for (byte[] role :
        List.of(admin, registry.SLASHER_ROLE().send(), registry.FLAGGER_ROLE().send())) {
      assertThat(registry.hasRole(role, me).send())
          .as("deployer role on DatanetRegistry")
          .isFalse();
      assertThat(registry.getRoleAdmin(role).send()).isEqualTo(admin);
    }
    for (byte[] role :
        List.of(
            admin,
            timelock.PROPOSER_ROLE().send(),
            timelock.EXECUTOR_ROLE().send(),
            timelock.CANCELLER_ROLE().send())) {
      assertThat(timelock.hasRole(role, me).send())
          .as("deployer role on TimelockController")
          .isFalse();
    }
    assertThat(settlement.hasRole(admin, timelockAddress).send()).isTrue();
    assertThat(registry.hasRole(admin, timelockAddress).send()).isTrue();
    assertThat(timelock.hasRole(admin, timelockAddress).send()).isTrue();
    assertThat(local.driver.params(local.deployer).owner().send()).isEqualTo(timelockAddress);
  }

  @Test
  void shouldRefuseTheDeployerGrantingItselfAnyRole() throws Exception {
    String unauthorized = "AccessControlUnauthorizedAccount(address,bytes32)";
    for (byte[] role :
        List.of(
            settlement.SETTLER_ROLE().send(),
            settlement.MARKET_ROLE().send(),
            settlement.DEFAULT_ADMIN_ROLE().send())) {
      local.assertReverts(settlement, local.deployer, settlement.grantRole(role, me), unauthorized);
    }
    for (byte[] role :
        List.of(
            registry.SLASHER_ROLE().send(),
            registry.FLAGGER_ROLE().send(),
            registry.DEFAULT_ADMIN_ROLE().send())) {
      local.assertReverts(registry, local.deployer, registry.grantRole(role, me), unauthorized);
    }
    for (byte[] role :
        List.of(
            timelock.PROPOSER_ROLE().send(),
            timelock.CANCELLER_ROLE().send(),
            timelock.DEFAULT_ADMIN_ROLE().send())) {
      local.assertReverts(timelock, local.deployer, timelock.grantRole(role, me), unauthorized);
    }
    var params = local.driver.params(local.deployer);
    String notOwner = "OwnableUnauthorizedAccount(address)";
    local.assertReverts(params, local.deployer, params.transferOwnership(me), notOwner);
    local.assertReverts(
        params, local.deployer, params.setMinimums(BigInteger.ZERO, BigInteger.ZERO), notOwner);
    var governor = local.driver.governor(local.deployer);
    local.assertReverts(
        governor,
        local.deployer,
        governor.updateQuorumNumerator(BigInteger.ONE),
        "GovernorOnlyExecutor(address)");
  }

  @Test
  void shouldGiveEachOperationalRoleToItsOwnAccountOnly() throws Exception {
    String market = local.deployment.address("InferenceMarket");
    String settler = local.settler.getAddress();
    String flagger = local.flagger.getAddress();
    byte[] admin = settlement.DEFAULT_ADMIN_ROLE().send();
    byte[] settlerRole = settlement.SETTLER_ROLE().send();
    byte[] marketRole = settlement.MARKET_ROLE().send();
    byte[] slasherRole = registry.SLASHER_ROLE().send();
    byte[] flaggerRole = registry.FLAGGER_ROLE().send();
    assertThat(local.deployment.roles().flagger()).isEqualTo(flagger);
    assertThat(settlement.hasRole(settlerRole, settler).send()).isTrue();
    assertThat(settlement.hasRole(marketRole, market).send()).isTrue();
    assertThat(registry.hasRole(flaggerRole, flagger).send()).isTrue();
    // Slashing is governance's alone: the timelock holds SLASHER_ROLE, no operational key does.
    assertThat(registry.hasRole(slasherRole, timelockAddress).send()).isTrue();
    for (String account : List.of(settler, flagger, market)) {
      assertThat(settlement.hasRole(admin, account).send()).isFalse();
      assertThat(registry.hasRole(admin, account).send()).isFalse();
      assertThat(registry.hasRole(slasherRole, account).send()).isFalse();
    }
    assertThat(settlement.hasRole(marketRole, settler).send()).isFalse();
    assertThat(settlement.hasRole(settlerRole, flagger).send()).isFalse();
    assertThat(settlement.hasRole(settlerRole, market).send()).isFalse();
    assertThat(registry.hasRole(flaggerRole, settler).send()).isFalse();
    var asSettler = local.driver.settlement(local.settler);
    local.assertReverts(
        asSettler,
        local.settler,
        asSettler.grantRole(settlerRole, flagger),
        "AccessControlUnauthorizedAccount(address,bytes32)");
    var asFlagger = local.driver.datanets(local.flagger);
    local.assertReverts(
        asFlagger,
        local.flagger,
        asFlagger.grantRole(slasherRole, flagger),
        "AccessControlUnauthorizedAccount(address,bytes32)");
  }

  @Test
  void shouldRefuseAPlanWhereTheDeployerWouldAlsoSettleOrFlag() {
    String me = local.deployer.getAddress();
    String other = local.user(0).getAddress();
    Credentials deployer = local.deployer;
    Deployer d = new Deployer(local.chain, deployer, "cancun");
    assertThatThrownBy(() -> d.deploy(DeploymentPlan.dev(me, other, other)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("three different accounts");
    assertThatThrownBy(() -> d.deploy(DeploymentPlan.dev(other, me.toLowerCase(), other)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
