package org.openledger.bridge.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.workload.InferenceStream.Outcome;
import org.openledger.bridge.workload.InferenceStream.Sent;
import org.openledger.bridge.workload.PaymentTracker.Mined;
import org.openledger.bridge.workload.PaymentTracker.Pending;

class PaymentTrackerTest {

  private static Pending payment(String hash, String account, long nonce, long at, long fee) {
    return new Pending(hash, account, nonce, at, BigInteger.valueOf(fee), false);
  }

  @Test
  void shouldRecordEachPaymentWithItsBlockAndSendTimeWhenItsReceiptIsInABlock() {
    PaymentTracker t = new PaymentTracker();
    t.sending(payment("h1", "a", 0, 100, 5));
    t.sending(payment("h2", "a", 1, 101, 7));
    t.sending(payment("h3", "b", 0, 102, 11));

    int ours = t.mined(9, 1_000, List.of(new Mined("h2", true), new Mined("other", true)));
    t.mined(10, 2_000, List.of(new Mined("h1", true), new Mined("h3", false)));

    Outcome o = t.outcome();
    assertThat(ours).isEqualTo(1);
    assertThat(o.sent())
        .containsExactly(
            new Sent(9, 101, BigInteger.valueOf(7), "h2"),
            new Sent(10, 100, BigInteger.valueOf(5), "h1"));
    assertThat(o.reverted()).isEqualTo(1);
    assertThat(o.lost()).isZero();
    assertThat(o.fees()).isEqualTo(BigInteger.valueOf(12));
    assertThat(o.blockSeen()).isEqualTo(Map.of(9L, 1_000L, 10L, 2_000L));
    assertThat(t.paymentsInFlight()).isZero();
  }

  @Test
  void shouldMatchAReceiptOnceWhenABlockIsReadAgainAfterAReorg() {
    PaymentTracker t = new PaymentTracker();
    t.sending(payment("h1", "a", 0, 100, 5));

    t.mined(9, 1_000, List.of(new Mined("h1", true)));
    t.mined(9, 3_000, List.of(new Mined("h1", true)));

    assertThat(t.outcome().sent()).hasSize(1);
    assertThat(t.outcome().blockSeen()).containsEntry(9L, 1_000L);
  }

  @Test
  void shouldCountALostPaymentOnceAndAsPaidAgainWhenItsReceiptComesAfterAll() {
    PaymentTracker t = new PaymentTracker();
    t.sending(payment("h1", "a", 0, 100, 5));
    t.sending(payment("h2", "a", 1, 100, 7));

    assertThat(t.lost("h1")).isTrue();
    assertThat(t.lost("h1")).isFalse();
    assertThat(t.outcome().lost()).isEqualTo(1);
    assertThat(t.lostHashes()).containsExactly("h1");
    t.mined(3, 0, List.of(new Mined("h1", true), new Mined("h2", true)));

    assertThat(t.outcome().lost()).isZero();
    assertThat(t.outcome().sent()).extracting(Sent::txHash).containsExactly("h1", "h2");
    assertThat(t.outcome().fees()).isEqualTo(BigInteger.valueOf(12));
    assertThat(t.paymentsInFlight()).isZero();
  }

  @Test
  void shouldKeepFillersOutOfThePaymentsWhileTheirNoncesCount() {
    PaymentTracker t = new PaymentTracker();
    t.sending(payment("h1", "a", 4, 100, 5));
    t.sending(new Pending("f3", "a", 3, 200, BigInteger.ZERO, true));

    assertThat(t.inFlightNonces("a")).isEqualTo(Map.of(3L, "f3", 4L, "h1"));
    assertThat(t.paymentsInFlight()).isEqualTo(1);
    assertThat(t.lost("f3")).isFalse();
    t.mined(5, 0, List.of(new Mined("h1", true)));

    assertThat(t.outcome().sent()).hasSize(1);
    assertThat(t.outcome().lost()).isZero();
    assertThat(t.inFlight()).isZero();
  }

  @Test
  void shouldGiveTheLastNonceSentBeforeATimeWhenCheckingForGaps() {
    PaymentTracker t = new PaymentTracker();
    t.sending(payment("h1", "a", 0, 100, 1));
    t.sending(payment("h2", "a", 1, 200, 1));
    t.sending(payment("h3", "a", 2, 300, 1));
    t.sending(payment("x", "b", 9, 50, 1));

    assertThat(t.lastNonceSentBefore("a", 250)).hasValue(1);
    assertThat(t.lastNonceSentBefore("a", 50)).isEmpty();
    assertThat(t.lastNonceSentBefore("c", 1_000)).isEmpty();
  }

  @Test
  void shouldPutALostPaymentBackInFlightWhenTheNodeTurnsOutToHoldIt() {
    PaymentTracker t = new PaymentTracker();
    t.sending(payment("h1", "a", 4, 100, 5));
    t.lost("h1");

    assertThat(t.found("h1")).isTrue();
    assertThat(t.found("h1")).isFalse();
    assertThat(t.outcome().lost()).isZero();
    assertThat(t.paymentsInFlight()).isEqualTo(1);
    assertThat(t.inFlightNonces("a")).isEqualTo(Map.of(4L, "h1"));
    t.mined(8, 0, List.of(new Mined("h1", true)));

    assertThat(t.outcome().sent()).extracting(Sent::txHash).containsExactly("h1");
  }
}
