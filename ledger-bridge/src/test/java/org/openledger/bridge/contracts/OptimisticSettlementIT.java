package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;

/**
 * The optimistic settlement on a fresh deployment each: a proposal pays only when finalized after
 * its challenge window, with the payees and amounts it committed to, once; a challenge freezes it
 * until governance (the timelock) resolves it, upheld (void, proposable again under the same id,
 * bonds to the challenger) or rejected (finalizable, the challenger's bond to the treasury); the
 * cap counts pending proposals. After every step the escrow holds exactly the unpaid fees plus the
 * bonds it holds.
 */
class OptimisticSettlementIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);
  private static final byte[] ROOT = Hash.sha3("root".getBytes(StandardCharsets.UTF_8));

  private LocalChain local;
  private Credentials payer;
  private Credentials challenger;
  private Settlement asSettler;
  private long modelId;

  @BeforeEach
  void deploy() throws Exception {
    local = new LocalChain();
    payer = local.user(0);
    challenger = local.user(1);
    local.driver.fund(local.deployer, payer.getAddress(), OPEN.multiply(BigInteger.valueOf(100)));
    local.driver.fund(local.deployer, challenger.getAddress(), OPEN.multiply(BigInteger.TEN));
    long datanet = local.driver.createDatanet(payer, "optimistic", OPEN);
    modelId = local.driver.registerModel(payer, List.of(datanet), 0, "optimistic-model");
    asSettler = local.driver.settlement(local.settler);
  }

  @AfterEach
  void close() {
    local.close();
  }

  @Test
  void shouldPayAnUnchallengedProposalOnceAfterItsWindowAndReturnTheBond() throws Exception {
    long start = local.head() + 1;
    local.pay(payer, modelId, wei(1_000_000));
    long end = local.head();
    String p1 = fresh();
    String p2 = fresh();
    List<String> payees = List.of(p1, p2);
    List<BigInteger> amounts = List.of(wei(600_000), wei(400_000));
    byte[] id = local.batchId(start, end, 0);
    BigInteger settlerBefore = balance(local.settler.getAddress());
    BigInteger bond = asSettler.proposerBond().send();

    var proposed = local.driver.propose(local.settler, start, end, 0, 1, payees, amounts, ROOT);
    var event = Settlement.getBatchProposedEvents(proposed).get(0);
    assertThat(event.payees).isEqualTo(payees);
    assertThat(event.amounts).isEqualTo(amounts);
    assertThat(event.total).isEqualTo(wei(1_000_000));
    long window = asSettler.challengeWindowBlocks().send().longValueExact();
    assertThat(event.challengeDeadline.longValueExact())
        .isEqualTo(proposed.getBlockNumber().longValueExact() + window);
    assertThat(balance(local.settler.getAddress())).isEqualTo(settlerBefore.subtract(bond));
    assertThat(asSettler.totalPending().send()).isEqualTo(wei(1_000_000));
    assertThat(asSettler.isSettled(id).send()).isFalse();
    assertConserved();

    // Before the window has passed: refused, whoever asks.
    local.assertReverts(
        asSettler,
        payer,
        asSettler.finalize(id, payees, amounts),
        "ChallengeWindowOpen(bytes32,uint256,uint256)");
    // eth_call runs in the head's block: past the deadline once it is mined
    local.chain.mine(window + 1);
    // Not what was committed to: refused.
    local.assertReverts(
        asSettler,
        payer,
        asSettler.finalize(id, payees, List.of(wei(1_000_000), wei(0))),
        "CommitmentMismatch(bytes32)");
    var settled = local.driver.settlement(payer).finalize(id, payees, amounts).send();
    var paid = Settlement.getBatchSettledEvents(settled).get(0);
    assertThat(paid.total).isEqualTo(wei(1_000_000));
    assertThat(paid.payees).isEqualTo(payees);
    assertThat(balance(p1)).isEqualTo(wei(600_000));
    assertThat(balance(p2)).isEqualTo(wei(400_000));
    assertThat(balance(local.settler.getAddress())).isEqualTo(settlerBefore);
    assertThat(asSettler.isSettled(id).send()).isTrue();
    assertThat(asSettler.totalPending().send()).isZero();
    assertThat(asSettler.totalSettled().send()).isEqualTo(wei(1_000_000));
    assertConserved();

    // A replayed finalize, a proposal again, a challenge now: refused.
    local.assertReverts(
        asSettler, payer, asSettler.finalize(id, payees, amounts), "BatchAlreadySettled(bytes32)");
    local.assertReverts(
        asSettler,
        local.settler,
        local.proposeCall(local.settler, id, start, end, 0, 1, payees, amounts, ROOT),
        "BatchAlreadySettled(bytes32)");
    local.assertReverts(
        asSettler, challenger, asSettler.challenge(id), "WrongState(bytes32,uint8)");
    assertThat(balance(p1)).isEqualTo(wei(600_000));
  }

  @Test
  void shouldVoidAnUpheldChallengeAndLetTheWindowBeProposedAgainAndPaidOnce() throws Exception {
    long start = local.head() + 1;
    local.pay(payer, modelId, wei(1_000_000));
    long end = local.head();
    String honest = fresh();
    String thief = fresh();
    byte[] id = local.batchId(start, end, 0);
    BigInteger proposerBond = asSettler.proposerBond().send();
    BigInteger challengerBond = asSettler.challengerBond().send();
    BigInteger challengerBefore = balance(challenger.getAddress());

    local.driver.propose(
        local.settler, start, end, 0, 1, List.of(thief), List.of(wei(1_000_000)), ROOT);
    var challenged = local.driver.challenge(challenger, id);
    assertThat(Settlement.getBatchChallengedEvents(challenged).get(0).challenger)
        .isEqualToIgnoringCase(challenger.getAddress());
    assertConserved();
    // Frozen: a second challenge and a finalize are refused, however long it waits.
    local.assertReverts(asSettler, payer, asSettler.challenge(id), "WrongState(bytes32,uint8)");
    local.chain.mine(asSettler.challengeWindowBlocks().send().longValueExact() + 1);
    local.assertReverts(
        asSettler,
        payer,
        asSettler.finalize(id, List.of(thief), List.of(wei(1_000_000))),
        "WrongState(bytes32,uint8)");

    var resolved = local.driver.resolve(List.of(local.deployer), id, true, "Uphold " + fresh());
    assertThat(resolved.isStatusOK()).isTrue();
    assertThat(asSettler.proposalOf(id).send().state).isEqualTo(BigInteger.ZERO);
    assertThat(asSettler.totalPending().send()).isZero();
    assertThat(asSettler.escrowed().send()).isEqualTo(wei(1_000_000));
    assertThat(balance(challenger.getAddress())).isEqualTo(challengerBefore.add(proposerBond));
    assertThat(balance(thief)).isZero();
    assertConserved();

    // The same window again, under the same id, though later windows may have come since.
    local.driver.settle(
        local.settler, start, end, 0, 1, List.of(honest), List.of(wei(1_000_000)), ROOT);
    assertThat(balance(honest)).isEqualTo(wei(1_000_000));
    assertThat(balance(thief)).isZero();
    assertThat(asSettler.totalSettled().send()).isEqualTo(wei(1_000_000));
    local.assertReverts(
        asSettler,
        payer,
        asSettler.finalize(id, List.of(honest), List.of(wei(1_000_000))),
        "BatchAlreadySettled(bytes32)");
    assertThat(challengerBond).isPositive();
    assertConserved();
  }

  @Test
  void shouldFinalizeARejectedChallengeAndSendTheChallengersBondToTheTreasury() throws Exception {
    long start = local.head() + 1;
    local.pay(payer, modelId, wei(1_000_000));
    long end = local.head();
    String p = fresh();
    byte[] id = local.batchId(start, end, 0);
    BigInteger challengerBond = asSettler.challengerBond().send();
    BigInteger treasuryBefore = balance(local.treasury.getAddress());
    BigInteger challengerBefore = balance(challenger.getAddress());

    local.driver.propose(local.settler, start, end, 0, 1, List.of(p), List.of(wei(700)), ROOT);
    local.driver.challenge(challenger, id);
    local.driver.resolve(List.of(local.deployer), id, false, "Reject " + fresh());
    assertThat(balance(local.treasury.getAddress())).isEqualTo(treasuryBefore.add(challengerBond));
    assertThat(balance(challenger.getAddress()))
        .isEqualTo(challengerBefore.subtract(challengerBond));
    assertConserved();
    // Rejected: a resolution again is refused; anyone may finalize at once.
    local.assertReverts(
        asSettler,
        local.deployment.roles().governance(),
        asSettler.resolve(id, true),
        "WrongState(bytes32,uint8)");
    local.driver.settlement(payer).finalize(id, List.of(p), List.of(wei(700))).send();
    assertThat(balance(p)).isEqualTo(wei(700));
    assertThat(asSettler.isSettled(id).send()).isTrue();
    assertThat(asSettler.bondsHeld().send()).isZero();
    assertConserved();
  }

  @Test
  void shouldLetOnlyGovernanceResolveOrSetTheChallengeParams() throws Exception {
    long start = local.head() + 1;
    local.pay(payer, modelId, wei(1_000));
    long end = local.head();
    byte[] id = local.batchId(start, end, 0);
    local.driver.propose(local.settler, start, end, 0, 1, List.of(fresh()), List.of(wei(1)), ROOT);
    local.driver.challenge(challenger, id);
    for (Credentials who : List.of(local.deployer, local.settler, challenger, payer)) {
      var as = local.driver.settlement(who);
      local.assertReverts(
          as, who, as.resolve(id, true), "AccessControlUnauthorizedAccount(address,bytes32)");
      local.assertReverts(
          as,
          who,
          as.setChallengeParams(BigInteger.ONE, BigInteger.ZERO, BigInteger.ZERO),
          "AccessControlUnauthorizedAccount(address,bytes32)");
    }
    String timelock = local.deployment.roles().governance();
    local.assertSimulates(
        timelock, asSettler.getContractAddress(), asSettler.resolve(id, true).encodeFunctionCall());
    local.assertSimulates(
        timelock,
        asSettler.getContractAddress(),
        asSettler.setChallengeParams(BigInteger.valueOf(43_200), OPEN, OPEN).encodeFunctionCall());
    local.assertReverts(
        asSettler,
        timelock,
        asSettler.setChallengeParams(BigInteger.ZERO, OPEN, OPEN),
        "InvalidChallengeParams(string)");
    // A late challenge is refused.
    long start2 = end + 1;
    local.pay(payer, modelId, wei(1_000));
    long end2 = local.head();
    byte[] id2 = local.batchId(start2, end2, 0);
    local.driver.propose(
        local.settler, start2, end2, 0, 1, List.of(fresh()), List.of(wei(1)), ROOT);
    local.chain.mine(asSettler.challengeWindowBlocks().send().longValueExact() + 1);
    local.assertReverts(
        asSettler,
        challenger,
        asSettler.challenge(id2),
        "ChallengeWindowClosed(bytes32,uint256,uint256)");
  }

  @Test
  void shouldCountPendingProposalsAgainstTheWindowsCap() throws Exception {
    long start = local.head() + 1;
    local.pay(payer, modelId, wei(1_000_000));
    long end = local.head();
    local.driver.propose(
        local.settler, start, end, 0, 2, List.of(fresh()), List.of(wei(900_000)), ROOT);
    // Nothing is paid yet, but the pending 900,000 leaves 100,000 of the window's fees.
    local.assertReverts(
        asSettler,
        local.settler,
        local.proposeCall(
            local.settler,
            local.batchId(start, end, 1),
            start,
            end,
            1,
            2,
            List.of(fresh()),
            List.of(wei(100_001)),
            ROOT),
        "WindowCapExceeded(uint256,uint256)");
    local.driver.propose(
        local.settler, start, end, 1, 2, List.of(fresh()), List.of(wei(100_000)), ROOT);
    assertThat(asSettler.totalPending().send()).isEqualTo(wei(1_000_000));
    assertThat(asSettler.totalSettled().send()).isZero();
    assertConserved();
  }

  /** The escrow's OPEN is exactly the fees not yet paid plus the bonds it holds. */
  private void assertConserved() throws Exception {
    assertThat(balance(asSettler.getContractAddress()))
        .isEqualTo(asSettler.escrowed().send().add(asSettler.bondsHeld().send()));
  }

  private BigInteger balance(String who) throws Exception {
    return local.driver.token(payer).balanceOf(who).send();
  }

  private static BigInteger wei(long n) {
    return BigInteger.valueOf(n);
  }

  private static String fresh() throws Exception {
    return "0x" + Keys.getAddress(Keys.createEcKeyPair());
  }
}
