package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;

/**
 * Flag, freeze, decide on the dev node: the flagger's flag freezes a stake; only governance (the
 * timelock, through a passed proposal) slashes it or clears the flag; the contributor may dispute;
 * a flag lapses after its expiry so a rogue flagger cannot lock a stake for good.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlagAndSlashIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);
  private static final String UNAUTHORIZED = "AccessControlUnauthorizedAccount(address,bytes32)";
  private static final int FLAGGED = 1;
  private static final int DISPUTED = 2;
  private static final int CLEARED = 3;
  private static final int SLASHED = 4;

  private LocalChain local;
  private Credentials contributor;
  private Credentials stranger;
  private String timelock;
  private long datanetId;
  private int texts;

  @BeforeAll
  void deploy() throws Exception {
    local = new LocalChain();
    Credentials owner = local.user(0);
    contributor = local.user(1);
    stranger = local.user(2);
    for (Credentials c : List.of(owner, contributor, stranger)) {
      local.driver.fund(local.deployer, c.getAddress(), OPEN.multiply(BigInteger.valueOf(1000)));
    }
    datanetId = local.driver.createDatanet(owner, "flags", OPEN);
    timelock = local.deployment.roles().governance();
  }

  @AfterAll
  void close() {
    local.close();
  }

  private long contribution() throws Exception {
    String text = "contribution " + texts++;
    return local.driver.contribute(
        contributor, datanetId, text.getBytes(StandardCharsets.UTF_8), "file:///" + text, OPEN);
  }

  private DatanetRegistry.Flag flagOf(long id) throws Exception {
    return local.driver.datanets(stranger).flagOf(BigInteger.valueOf(id)).send();
  }

  private BigInteger balance(String account) throws Exception {
    return local.driver.token(stranger).balanceOf(account).send();
  }

  @Test
  void shouldFreezeAFlaggedStakeUntilTheFlagExpiresThenLetTheContributorWithdraw()
      throws Exception {
    long id = contribution();
    // Read, not assumed: another test of this class may have changed it through governance.
    long expiry = local.driver.datanets(stranger).flagExpiryBlocks().send().longValueExact();
    var receipt = local.driver.flag(local.flagger, id, 1, "duplicate-of=1 similarity-ppm=990000");
    long flaggedAt = receipt.getBlockNumber().longValueExact();

    var event = DatanetRegistry.getContributionFlaggedEvents(receipt).get(0);
    assertThat(event.contributionId).isEqualTo(BigInteger.valueOf(id));
    assertThat(event.contributor).isEqualTo(contributor.getAddress());
    assertThat(event.flagger).isEqualTo(local.flagger.getAddress());
    assertThat(event.reasonCode).isEqualTo(BigInteger.ONE);
    assertThat(event.evidence).isEqualTo("duplicate-of=1 similarity-ppm=990000");
    long expiresAt = flaggedAt + expiry;
    assertThat(event.expiresAtBlock).isEqualTo(BigInteger.valueOf(expiresAt));
    assertThat(flagOf(id).state).isEqualTo(BigInteger.valueOf(FLAGGED));

    local.chain.mine(25); // past the 20-block cool-down: only the flag holds the stake now
    assertThat(expiry).isGreaterThan(26);
    var asContributor = local.driver.datanets(contributor);
    local.assertRevertsWith(
        asContributor,
        contributor,
        asContributor.withdrawStake(BigInteger.valueOf(id)),
        new Function("Frozen", List.of(new Uint256(id), new Uint256(expiresAt)), List.of()));
    assertThat(asContributor.isFrozen(BigInteger.valueOf(id)).send()).isTrue();

    local.chain.mine(expiresAt - local.head()); // the next block is the expiry block
    assertThat(asContributor.isFrozen(BigInteger.valueOf(id)).send()).isFalse();
    BigInteger before = balance(contributor.getAddress());
    local.driver.withdraw(contributor, id);
    assertThat(balance(contributor.getAddress())).isEqualTo(before.add(OPEN));
    // The flagger cannot renew a lapsed flag to freeze again (nor flag a withdrawn stake).
    var asFlagger = local.driver.datanets(local.flagger);
    local.assertReverts(
        asFlagger,
        local.flagger,
        asFlagger.flag(BigInteger.valueOf(id), BigInteger.ONE, "again"),
        "Closed(uint256,uint8)");
  }

  @Test
  void shouldLetGovernanceSlashAFlaggedStakeToTheTreasury() throws Exception {
    long id = contribution();
    local.driver.flag(local.flagger, id, 1, "duplicate");
    BigInteger treasuryBefore = balance(local.treasury.getAddress());

    var receipt = local.driver.slash(List.of(local.deployer), id, 1, "Slash flagged " + id);

    var slashed = DatanetRegistry.getStakeSlashedEvents(receipt).get(0);
    assertThat(slashed.contributionId).isEqualTo(BigInteger.valueOf(id));
    assertThat(slashed.amount).isEqualTo(OPEN);
    assertThat(balance(local.treasury.getAddress())).isEqualTo(treasuryBefore.add(OPEN));
    assertThat(flagOf(id).state).isEqualTo(BigInteger.valueOf(SLASHED));
    local.chain.mine(25);
    var asContributor = local.driver.datanets(contributor);
    local.assertReverts(
        asContributor,
        contributor,
        asContributor.withdrawStake(BigInteger.valueOf(id)),
        "Closed(uint256,uint8)");
    local.assertReverts(
        asContributor,
        timelock,
        asContributor.clearFlag(BigInteger.valueOf(id)),
        "NotOpen(uint256,uint8)");
  }

  @Test
  void shouldLetTheContributorDisputeAndGovernanceClearTheFlag() throws Exception {
    long id = contribution();
    local.driver.flag(local.flagger, id, 2, "low quality");
    var asStranger = local.driver.datanets(stranger);
    local.assertReverts(
        asStranger,
        stranger,
        asStranger.dispute(BigInteger.valueOf(id)),
        "NotContributor(address,uint256)");

    var disputed = local.driver.dispute(contributor, id);

    assertThat(DatanetRegistry.getFlagDisputedEvents(disputed)).hasSize(1);
    assertThat(flagOf(id).state).isEqualTo(BigInteger.valueOf(DISPUTED));
    var asContributor = local.driver.datanets(contributor);
    local.assertReverts(
        asContributor,
        contributor,
        asContributor.dispute(BigInteger.valueOf(id)),
        "NotOpen(uint256,uint8)");
    local.chain.mine(25);
    assertThat(asContributor.isFrozen(BigInteger.valueOf(id)).send()).isTrue();

    var cleared = local.driver.clearFlag(List.of(local.deployer), id, "Clear flag " + id);

    assertThat(DatanetRegistry.getFlagClearedEvents(cleared)).hasSize(1);
    assertThat(flagOf(id).state).isEqualTo(BigInteger.valueOf(CLEARED));
    var asFlagger = local.driver.datanets(local.flagger);
    local.assertReverts(
        asFlagger,
        local.flagger,
        asFlagger.flag(BigInteger.valueOf(id), BigInteger.ONE, "again"),
        "AlreadyFlagged(uint256,uint8)");
    local.driver.withdraw(contributor, id); // free again, well before the flag's expiry
  }

  @Test
  void shouldRefuseFlagsDecisionsAndExpiryChangesFromAnyoneWithoutTheRole() throws Exception {
    long id = contribution();
    for (Credentials notFlagger : List.of(stranger, contributor, local.settler, local.deployer)) {
      var registry = local.driver.datanets(notFlagger);
      local.assertReverts(
          registry,
          notFlagger,
          registry.flag(BigInteger.valueOf(id), BigInteger.ONE, "x"),
          UNAUTHORIZED);
    }
    var asFlagger = local.driver.datanets(local.flagger);
    local.assertReverts(
        asFlagger,
        local.flagger,
        asFlagger.flag(BigInteger.valueOf(999_999), BigInteger.ONE, "x"),
        "UnknownContribution(uint256)");
    local.assertRevertsWith(
        asFlagger,
        local.flagger,
        asFlagger.flag(BigInteger.valueOf(id), BigInteger.ONE, "e".repeat(2049)),
        new Function(
            "TooLong",
            List.of(new Utf8String("evidence"), new Uint256(2049), new Uint256(2048)),
            List.of()));
    var asContributor = local.driver.datanets(contributor);
    local.assertReverts(
        asContributor,
        contributor,
        asContributor.dispute(BigInteger.valueOf(id)),
        "NotOpen(uint256,uint8)"); // nothing to dispute yet
    local.assertReverts(
        asFlagger, timelock, asFlagger.clearFlag(BigInteger.valueOf(id)), "NotOpen(uint256,uint8)");

    local.driver.flag(local.flagger, id, 1, "duplicate");

    local.assertReverts(
        asFlagger,
        local.flagger,
        asFlagger.flag(BigInteger.valueOf(id), BigInteger.ONE, "again"),
        "AlreadyFlagged(uint256,uint8)");
    for (Credentials notGovernance : List.of(local.flagger, stranger, local.deployer)) {
      var registry = local.driver.datanets(notGovernance);
      local.assertReverts(
          registry, notGovernance, registry.clearFlag(BigInteger.valueOf(id)), UNAUTHORIZED);
      local.assertReverts(
          registry,
          notGovernance,
          registry.slash(BigInteger.valueOf(id), BigInteger.ONE),
          UNAUTHORIZED);
      local.assertReverts(
          registry, notGovernance, registry.setFlagExpiryBlocks(BigInteger.TEN), UNAUTHORIZED);
    }
    // What a passed proposal sends: the timelock may decide, within the expiry's bounds.
    local.assertSimulates(
        timelock,
        asFlagger.getContractAddress(),
        asFlagger.clearFlag(BigInteger.valueOf(id)).encodeFunctionCall());
    local.assertReverts(
        asFlagger,
        timelock,
        asFlagger.setFlagExpiryBlocks(BigInteger.ZERO),
        "InvalidFlagExpiry(uint64)");
    local.assertReverts(
        asFlagger,
        timelock,
        asFlagger.setFlagExpiryBlocks(BigInteger.valueOf(1_000_001)),
        "InvalidFlagExpiry(uint64)");
  }

  @Test
  void shouldChangeTheFlagExpiryOnlyThroughGovernanceAndKeepEarlierFlagsExpiry() throws Exception {
    long earlier = contribution();
    local.driver.flag(local.flagger, earlier, 1, "before the change");
    BigInteger earlierExpiry = flagOf(earlier).expiresAt;

    var receipt =
        local.driver.changeFlagExpiry(List.of(local.deployer), 50, "Flags last 50 blocks");

    assertThat(DatanetRegistry.getFlagExpiryChangedEvents(receipt).get(0).flagExpiryBlocks)
        .isEqualTo(BigInteger.valueOf(50));
    var registry = local.driver.datanets(stranger);
    assertThat(registry.flagExpiryBlocks().send()).isEqualTo(BigInteger.valueOf(50));
    assertThat(flagOf(earlier).expiresAt).isEqualTo(earlierExpiry);
    long later = contribution();
    var flagged = local.driver.flag(local.flagger, later, 1, "after the change");
    assertThat(flagOf(later).expiresAt)
        .isEqualTo(flagged.getBlockNumber().add(BigInteger.valueOf(50)));
  }
}
