package org.openledger.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.domain.settle.BatchOnChain.State;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.domain.SettlementWindows;
import org.openledger.replay.ChallengeDecision.Kind;
import org.openledger.replay.ChallengeDecision.OnChain;

/**
 * The watcher's decision for one proposal: wait while its window is not replayed, ok when it
 * carries the replay's batch (or moves nothing), challenge a difference while the proposal is open
 * and its deadline ahead; report, never challenge, one already challenged (by us or anyone),
 * resolved, paid, or past its deadline.
 */
class ChallengeDecisionTest {

  private static final String ID = "0x" + "01".repeat(32);
  private static final String ROOT = "0x" + "02".repeat(32);
  private static final String ALICE = String.format("0x%040x", 1);
  private static final String BOB = String.format("0x%040x", 2);
  private static final String THIEF = String.format("0x%040x", 3);
  private static final long DEADLINE = 110;
  private static final OnChain OPEN = new OnChain(State.PROPOSED, DEADLINE, zero());

  private final PayoutBatcher.Batch honest =
      batch(List.of(ALICE, BOB), List.of(wei(600), wei(400)));

  @Test
  void shouldWaitUntilTheReplayHasSealedTheProposalsWindow() {
    var d =
        decide(proposal(List.of(ALICE, BOB), List.of(wei(600), wei(400))), Optional.empty(), 99);

    assertThat(d.kind()).isEqualTo(Kind.WAIT);
    assertThat(d.note()).contains("window ends at block 100");
  }

  @Test
  void shouldFindAnHonestProposalOkWithoutAskingTheChain() {
    var d =
        ChallengeDecision.decide(
            proposal(List.of(ALICE, BOB), List.of(wei(600), wei(400))),
            Optional.of(honest),
            100,
            null,
            105,
            Optional.empty());

    assertThat(d.kind()).isEqualTo(Kind.OK);
    assertThat(d.note()).contains("2 payees, total 1000 wei");
  }

  @Test
  void shouldChallengeATamperedAmountWhileItsWindowIsOpen() {
    var d =
        decide(
            proposal(List.of(ALICE, BOB), List.of(wei(600), wei(401))), Optional.of(honest), 100);

    assertThat(d.kind()).isEqualTo(Kind.CHALLENGE);
    assertThat(d.difference()).isEqualTo("payee " + BOB + ": expected 400 wei, on chain 401 wei");
  }

  @Test
  void shouldChallengeAProposalForAWindowTheReplayNeverPays() {
    var d = decide(proposal(List.of(THIEF), List.of(wei(1000))), Optional.empty(), 100);

    assertThat(d.kind()).isEqualTo(Kind.CHALLENGE);
    assertThat(d.difference()).startsWith("no such batch in the replay");
  }

  @Test
  void shouldLetAZeroWeiProposalPassAsReplayLetsAZeroWeiSettlementPass() {
    var d = decide(proposal(List.of(THIEF), List.of(wei(0))), Optional.empty(), 100);

    assertThat(d.kind()).isEqualTo(Kind.OK);
    assertThat(d.note()).contains("zero-wei");
  }

  @Test
  void shouldNotChallengeAgainWhenItsJournalHasAChallenge() {
    var d =
        ChallengeDecision.decide(
            proposal(List.of(THIEF), List.of(wei(1000))),
            Optional.of(honest),
            100,
            null,
            105,
            Optional.of("0xabc"));

    assertThat(d.kind()).isEqualTo(Kind.SENT);
    assertThat(d.note()).isEqualTo("challenged in tx 0xabc");
  }

  @Test
  void shouldReportNotChallengeAProposalNoLongerOpen() {
    Proposal tampered = proposal(List.of(THIEF), List.of(wei(1000)));
    for (OnChain state :
        List.of(
            new OnChain(State.CHALLENGED, DEADLINE, BOB),
            new OnChain(State.REJECTED, DEADLINE, zero()),
            new OnChain(State.SETTLED, DEADLINE, zero()),
            new OnChain(State.NONE, 0, zero()),
            new OnChain(State.PROPOSED, DEADLINE + 50, zero()))) {
      var d =
          ChallengeDecision.decide(
              tampered, Optional.of(honest), 100, state, 105, Optional.empty());
      assertThat(d.kind()).as(state.toString()).isEqualTo(Kind.NOT_OPEN);
    }
    assertThat(
            ChallengeDecision.decide(
                    tampered,
                    Optional.of(honest),
                    100,
                    new OnChain(State.CHALLENGED, DEADLINE, BOB),
                    105,
                    Optional.empty())
                .note())
        .isEqualTo("already challenged by " + BOB);
  }

  @Test
  void shouldChallengeUpToTheBlockBeforeTheDeadlineAndReportLaterOnesAsTooLate() {
    Proposal tampered = proposal(List.of(THIEF), List.of(wei(1000)));
    // A challenge sent at head h is mined at h + 1 at the earliest; the deadline block still takes
    // it.
    assertThat(
            ChallengeDecision.decide(
                    tampered, Optional.of(honest), 100, OPEN, DEADLINE - 1, Optional.empty())
                .kind())
        .isEqualTo(Kind.CHALLENGE);
    var late =
        ChallengeDecision.decide(
            tampered, Optional.of(honest), 100, OPEN, DEADLINE, Optional.empty());
    assertThat(late.kind()).isEqualTo(Kind.TOO_LATE);
    assertThat(late.note()).contains("deadline block 110, head 110");
  }

  @Test
  void shouldRefuseToDecideADifferenceWithoutTheChainsState() {
    assertThatThrownBy(
            () ->
                ChallengeDecision.decide(
                    proposal(List.of(THIEF), List.of(wei(1000))),
                    Optional.of(honest),
                    100,
                    null,
                    105,
                    Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static ChallengeDecision.Decision decide(
      Proposal p, Optional<PayoutBatcher.Batch> expected, long replayed) {
    return ChallengeDecision.decide(p, expected, replayed, OPEN, 105, Optional.empty());
  }

  private static Proposal proposal(List<String> payees, List<BigInteger> amounts) {
    BigInteger total = amounts.stream().reduce(BigInteger.ZERO, BigInteger::add);
    return new Proposal(
        ID, BOB, 91, 100, 0, 1, ROOT, total, DEADLINE, payees, amounts, DEADLINE - 10);
  }

  private static PayoutBatcher.Batch batch(List<String> payees, List<BigInteger> amounts) {
    BigInteger total = amounts.stream().reduce(BigInteger.ZERO, BigInteger::add);
    return new PayoutBatcher.Batch(
        ID,
        1337,
        new SettlementWindows.Window(91, 100),
        0,
        1,
        payees,
        amounts,
        total,
        ROOT,
        List.of(),
        List.of());
  }

  private static BigInteger wei(long n) {
    return BigInteger.valueOf(n);
  }

  private static String zero() {
    return String.format("0x%040x", 0);
  }
}
