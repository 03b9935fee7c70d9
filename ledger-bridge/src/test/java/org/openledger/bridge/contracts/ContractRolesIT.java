package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openledger.bridge.contracts.LocalChain.assertSucceeds;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;

/** Every state-changing function, allowed for its role and refused for the others. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContractRolesIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);
  private static final BigInteger MIN_STAKE = OPEN;

  private LocalChain local;
  private Credentials owner;
  private Credentials curator;
  private Credentials contributor;
  private Credentials stranger;
  private long datanetId;

  @BeforeAll
  void deploy() throws Exception {
    local = new LocalChain();
    owner = local.user(0);
    curator = local.user(1);
    contributor = local.user(2);
    stranger = local.user(3);
    for (Credentials c : List.of(owner, curator, contributor, stranger)) {
      local.driver.fund(local.deployer, c.getAddress(), OPEN.multiply(BigInteger.valueOf(1000)));
    }
    datanetId = local.driver.createDatanet(owner, "fortunes-science", MIN_STAKE);
    local.driver.setCurator(owner, datanetId, curator.getAddress());
  }

  @AfterAll
  void close() {
    local.close();
  }

  private long contribution(String text) throws Exception {
    return local.driver.contribute(
        contributor,
        datanetId,
        text.getBytes(StandardCharsets.UTF_8),
        "file:///" + text,
        MIN_STAKE);
  }

  @Test
  void shouldLetOnlyTheDatanetOwnerAppointCurators() throws Exception {
    var registry = local.driver.datanets(stranger);
    local.assertReverts(
        registry,
        stranger,
        registry.setCurator(BigInteger.valueOf(datanetId), stranger.getAddress(), true),
        "NotDatanetOwner(address,uint256)");
    assertSucceeds(
        local
            .driver
            .datanets(owner)
            .setCurator(BigInteger.valueOf(datanetId), stranger.getAddress(), false));
  }

  @Test
  void shouldRefuseContributionsBelowMinimumStakeOrToUnknownDatanets() throws Exception {
    var registry = local.driver.datanets(contributor);
    byte[] hash = Hash.sha3("x".getBytes(StandardCharsets.UTF_8));
    local.assertReverts(
        registry,
        contributor,
        registry.contribute(BigInteger.valueOf(datanetId), hash, "file:///x", BigInteger.ONE),
        "StakeTooLow(uint256,uint256)");
    local.assertReverts(
        registry,
        contributor,
        registry.contribute(BigInteger.valueOf(999_999), hash, "file:///x", MIN_STAKE),
        "UnknownDatanet(uint256)");
    local.assertReverts(
        registry,
        contributor,
        registry.contribute(BigInteger.valueOf(datanetId), new byte[32], "file:///x", MIN_STAKE),
        "InvalidContent()");
  }

  @Test
  void shouldLetOnlyCuratorsReviewAndOnlyOnce() throws Exception {
    long id = contribution("review me");
    var asStranger = local.driver.datanets(stranger);
    local.assertReverts(
        asStranger,
        stranger,
        asStranger.review(BigInteger.valueOf(id), true),
        "NotCurator(address,uint256)");
    local.driver.review(curator, id, true);
    var asCurator = local.driver.datanets(curator);
    local.assertReverts(
        asCurator,
        curator,
        asCurator.review(BigInteger.valueOf(id), false),
        "AlreadyReviewed(uint256,uint8)");
  }

  @Test
  void shouldLetOnlyGovernanceSlashAndSlashRejectedButNotWithdrawnContributions() throws Exception {
    long rejected = contribution("rejected then slashed");
    local.driver.review(curator, rejected, false);
    String timelock = local.deployment.roles().governance();
    for (Credentials notGovernance : List.of(stranger, local.flagger, local.settler)) {
      var registry = local.driver.datanets(notGovernance);
      local.assertReverts(
          registry,
          notGovernance,
          registry.slash(BigInteger.valueOf(rejected), BigInteger.ONE),
          "AccessControlUnauthorizedAccount(address,bytes32)");
    }
    BigInteger treasuryBefore =
        local.driver.token(stranger).balanceOf(local.treasury.getAddress()).send();

    local.driver.slash(List.of(local.deployer), rejected, 1, "Slash rejected " + rejected);

    assertThat(local.driver.token(stranger).balanceOf(local.treasury.getAddress()).send())
        .isEqualTo(treasuryBefore.add(MIN_STAKE));
    var registry = local.driver.datanets(stranger);
    local.assertReverts(
        registry,
        timelock,
        registry.slash(BigInteger.valueOf(rejected), BigInteger.ONE),
        "Closed(uint256,uint8)");

    long withdrawn = contribution("withdrawn before any slash");
    local.chain.mine(25); // past the 20-block cool-down
    local.driver.withdraw(contributor, withdrawn);
    local.assertReverts(
        registry,
        timelock,
        registry.slash(BigInteger.valueOf(withdrawn), BigInteger.ONE),
        "Closed(uint256,uint8)");
  }

  @Test
  void shouldLetOnlyTheContributorWithdrawAndOnlyAfterTheCoolDown() throws Exception {
    long id = contribution("cool down");
    var asContributor = local.driver.datanets(contributor);
    local.assertReverts(
        asContributor,
        contributor,
        asContributor.withdrawStake(BigInteger.valueOf(id)),
        "CoolDown(uint256,uint256)");
    local.chain.mine(25);
    var asStranger = local.driver.datanets(stranger);
    local.assertReverts(
        asStranger,
        stranger,
        asStranger.withdrawStake(BigInteger.valueOf(id)),
        "NotContributor(address,uint256)");
    BigInteger before = local.driver.token(contributor).balanceOf(contributor.getAddress()).send();
    local.driver.withdraw(contributor, id);
    assertThat(local.driver.token(contributor).balanceOf(contributor.getAddress()).send())
        .isEqualTo(before.add(MIN_STAKE));
  }

  @Test
  void shouldLetAnyoneRegisterModelsOnExistingDatanetsAndOnlyOwnersTransferThem() throws Exception {
    var models = local.driver.models(stranger);
    local.assertReverts(
        models,
        stranger,
        models.registerModel(List.of(BigInteger.valueOf(424242)), BigInteger.ZERO, "m"),
        "UnknownDatanet(uint256)");
    long modelId = local.driver.registerModel(owner, List.of(datanetId), 0, "fortune-teller");
    local.assertReverts(
        models,
        stranger,
        models.transferModel(BigInteger.valueOf(modelId), stranger.getAddress()),
        "NotModelOwner(address,uint256)");
    assertSucceeds(
        local
            .driver
            .models(owner)
            .transferModel(BigInteger.valueOf(modelId), curator.getAddress()));
  }

  @Test
  void shouldEscrowInferenceFeesAndRefuseUnknownModelsAndZeroFees() throws Exception {
    long modelId = local.driver.registerModel(owner, List.of(datanetId), 0, "escrow-model");
    BigInteger escrowBefore = local.driver.settlement(stranger).escrowed().send();
    local.driver.payForInference(
        stranger, modelId, OPEN, "q".getBytes(StandardCharsets.UTF_8), "file:///q");
    assertThat(local.driver.settlement(stranger).escrowed().send())
        .isEqualTo(escrowBefore.add(OPEN));

    var market = local.driver.market(stranger);
    byte[] q = Hash.sha3("q".getBytes(StandardCharsets.UTF_8));
    local.assertReverts(
        market,
        stranger,
        market.payForInference(BigInteger.valueOf(777_777), OPEN, q, "u"),
        "UnknownModel(uint256)");
    local.assertReverts(
        market,
        stranger,
        market.payForInference(BigInteger.valueOf(modelId), BigInteger.ZERO, q, "u"),
        "ZeroFee()");
  }

  @Test
  void shouldLetOnlyTheMarketRecordFees() throws Exception {
    var asStranger = local.driver.settlement(stranger);
    local.assertReverts(
        asStranger,
        stranger,
        asStranger.recordFee(OPEN),
        "AccessControlUnauthorizedAccount(address,bytes32)");
    var asSettler = local.driver.settlement(local.settler);
    local.assertReverts(
        asSettler,
        local.settler,
        asSettler.recordFee(OPEN),
        "AccessControlUnauthorizedAccount(address,bytes32)");
  }

  @Test
  void shouldLetOnlyTheSettlerSettleOnceAndNeverBeyondTheWindowsFees() throws Exception {
    long modelId = local.driver.registerModel(owner, List.of(datanetId), 0, "settle-model");
    long start = local.head() + 1;
    local.driver.payForInference(
        stranger,
        modelId,
        OPEN.multiply(BigInteger.TEN),
        "s".getBytes(StandardCharsets.UTF_8),
        "file:///s");
    long end = local.head();
    byte[] batchId = local.batchId(start, end, 0);
    byte[] root = Hash.sha3("root".getBytes(StandardCharsets.UTF_8));
    List<String> payees = List.of(contributor.getAddress());
    List<BigInteger> amounts = List.of(OPEN);

    var asStranger = local.driver.settlement(stranger);
    local.assertReverts(
        asStranger,
        stranger,
        local.proposeCall(stranger, batchId, start, end, 0, 2, payees, amounts, root),
        "AccessControlUnauthorizedAccount(address,bytes32)");
    BigInteger before = local.driver.token(stranger).balanceOf(contributor.getAddress()).send();
    local.driver.settle(local.settler, start, end, 0, 2, payees, amounts, root);
    assertThat(local.driver.token(stranger).balanceOf(contributor.getAddress()).send())
        .isEqualTo(before.add(OPEN));
    assertThat(local.driver.settlement(stranger).isSettled(batchId).send()).isTrue();

    var asSettler = local.driver.settlement(local.settler);
    local.assertReverts(
        asSettler,
        local.settler,
        local.proposeCall(local.settler, batchId, start, end, 0, 2, payees, amounts, root),
        "BatchAlreadySettled(bytes32)");
    // What is left: the fees up to the window's end (this test's and earlier tests'), less what
    // was settled; one wei more is refused.
    BigInteger available =
        asSettler
            .feesThrough(BigInteger.valueOf(end))
            .send()
            .subtract(asSettler.totalSettled().send());
    assertThat(available).isGreaterThanOrEqualTo(OPEN.multiply(BigInteger.valueOf(9)));
    byte[] other = local.batchId(start, end, 1);
    local.assertReverts(
        asSettler,
        local.settler,
        local.proposeCall(
            local.settler,
            other,
            start,
            end,
            1,
            2,
            payees,
            List.of(available.add(BigInteger.ONE)),
            root),
        "WindowCapExceeded(uint256,uint256)");
    assertThat(local.driver.settlement(stranger).isSettled(other).send()).isFalse();
  }

  @Test
  void shouldLetOnlyGovernanceSetParamsAndNobodyAdministerTheTimelock() throws Exception {
    var params = local.driver.params(local.deployer);
    local.assertReverts(
        params,
        local.deployer,
        params.setParams(params.params().send()),
        "OwnableUnauthorizedAccount(address)");
    var timelock =
        TimelockController.load(
            local.deployment.address("TimelockController"),
            local.chain.web3(),
            local.chain.signer(local.deployer),
            org.openledger.bridge.chain.Chain.GAS);
    assertThat(
            timelock
                .hasRole(timelock.DEFAULT_ADMIN_ROLE().send(), local.deployer.getAddress())
                .send())
        .isFalse();
    assertThat(
            timelock
                .hasRole(timelock.PROPOSER_ROLE().send(), local.deployment.address("OpenGovernor"))
                .send())
        .isTrue();
  }

  @Test
  void shouldLetOnlyAdminsGrantRoles() throws Exception {
    var asStranger = local.driver.settlement(stranger);
    local.assertReverts(
        asStranger,
        stranger,
        asStranger.grantRole(asStranger.SETTLER_ROLE().send(), stranger.getAddress()),
        "AccessControlUnauthorizedAccount(address,bytes32)");
    var registry = local.driver.datanets(stranger);
    local.assertReverts(
        registry,
        stranger,
        registry.grantRole(registry.SLASHER_ROLE().send(), stranger.getAddress()),
        "AccessControlUnauthorizedAccount(address,bytes32)");
  }
}
