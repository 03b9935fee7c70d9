package org.openledger.bridge.domain.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.domain.settle.SettlementDecision.AlreadySettled;
import org.openledger.bridge.domain.settle.SettlementDecision.Rebroadcast;
import org.openledger.bridge.domain.settle.SettlementDecision.Refused;
import org.openledger.bridge.domain.settle.SettlementDecision.Replace;
import org.openledger.bridge.domain.settle.SettlementDecision.Send;
import org.openledger.bridge.domain.settle.SettlementDecision.Settled;
import org.openledger.bridge.domain.settle.SettlementDecision.Wait;

/** Every crash point of the writer ends in one payment: the decisions from what it observes. */
class SettlementDecisionTest {

  static final long CONFIRMATIONS = 2;
  static final long STUCK_MS = 30_000;
  static final Attempt SENT = new Attempt(7, BigInteger.TEN, "0xaa", "0xraw", 1_000);

  static Observation seen(
      boolean settled,
      List<Attempt> attempts,
      Observation.Receipt receipt,
      boolean known,
      long nonce,
      long now) {
    return new Observation(settled, attempts, Optional.ofNullable(receipt), known, nonce, 100, now);
  }

  static SettlementDecision.Decision decide(Observation o) {
    return SettlementDecision.decide(o, CONFIRMATIONS, STUCK_MS);
  }

  @Test
  void shouldSendWhenNothingIsSettledOrInFlight() {
    assertThat(decide(seen(false, List.of(), null, false, 7, 0))).isInstanceOf(Send.class);
  }

  @Test
  void shouldNotSendWhenTheChainSaysTheBatchIsSettledWhateverItsOwnRecordSays() {
    assertThat(decide(seen(true, List.of(), null, false, 7, 0))).isInstanceOf(AlreadySettled.class);
    assertThat(decide(seen(true, List.of(SENT), null, false, 8, 0)))
        .isInstanceOf(AlreadySettled.class);
  }

  @Test
  void shouldRebroadcastWhenItCrashedAfterRecordingButBeforeTheNodeGotTheTransaction() {
    assertThat(decide(seen(false, List.of(SENT), null, false, 7, 2_000)))
        .isEqualTo(new Rebroadcast(SENT));
  }

  @Test
  void shouldWaitForAPendingTransactionAndReplaceItWhenStuck() {
    assertThat(decide(seen(false, List.of(SENT), null, true, 7, 2_000))).isInstanceOf(Wait.class);
    assertThat(decide(seen(false, List.of(SENT), null, true, 7, 1_000 + STUCK_MS)))
        .isEqualTo(new Replace(7));
  }

  @Test
  void shouldWaitForConfirmationsThenCountTheReceipt() {
    var receipt = new Observation.Receipt("0xaa", 99, true, "");
    assertThat(decide(seen(true, List.of(SENT), receipt, true, 8, 0))).isInstanceOf(Wait.class);
    var deep = new Observation.Receipt("0xaa", 98, true, "");
    assertThat(decide(seen(true, List.of(SENT), deep, true, 8, 0)))
        .isEqualTo(new Settled("0xaa", 98));
  }

  @Test
  void shouldSendAnewWhenItsNonceWasUsedByAnotherTransaction() {
    assertThat(decide(seen(false, List.of(SENT), null, false, 8, 2_000))).isInstanceOf(Send.class);
  }

  @Test
  void shouldRefuseARevertUnlessTheBatchIsSettledAfterAll() {
    var reverted = new Observation.Receipt("0xaa", 90, false, "EscrowShortfall(10, 5)");
    assertThat(decide(seen(false, List.of(SENT), reverted, true, 8, 0)))
        .isEqualTo(new Refused("transaction reverted: EscrowShortfall(10, 5)"));
    assertThat(decide(seen(true, List.of(SENT), reverted, true, 8, 0)))
        .isInstanceOf(AlreadySettled.class);
  }

  @Test
  void shouldDecideAfreshWhenASuccessfulReceiptWasReorgedAway() {
    var orphan = new Observation.Receipt("0xaa", 90, true, "");
    assertThat(decide(seen(false, List.of(SENT), orphan, false, 7, 2_000)))
        .isEqualTo(new Rebroadcast(SENT));
  }

  @Test
  void shouldNameWhatIsWrongWithAMalformedBatch() {
    String id = "0x" + "ab".repeat(32);
    List<BigInteger> one = List.of(BigInteger.ONE);
    BatchCheck.Window w = new BatchCheck.Window(10, 19, 0, 1);
    assertThat(BatchCheck.problem(id, w, List.of("0x" + "11".repeat(20)), one, BigInteger.ONE, id))
        .isEmpty();
    assertThat(BatchCheck.problem(id, w, List.of("alice"), one, BigInteger.ONE, id))
        .hasValueSatisfying(p -> assertThat(p).contains("payee 0"));
    assertThat(BatchCheck.problem(id, w, List.of("0x" + "00".repeat(20)), one, BigInteger.ONE, id))
        .hasValueSatisfying(p -> assertThat(p).contains("non-zero"));
    assertThat(BatchCheck.problem(id, w, List.of("0x" + "11".repeat(20)), one, BigInteger.TWO, id))
        .hasValueSatisfying(p -> assertThat(p).contains("sum"));
    assertThat(BatchCheck.problem("0x12", w, List.of(), List.of(), BigInteger.ZERO, id))
        .hasValueSatisfying(p -> assertThat(p).contains("bytes32"));
  }
}
