package org.openledger.bridge.domain.slash;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class FlagDecisionTest {

  private static final int PENDING = 1;
  private static final int ACCEPTED = 2;
  private static final int REJECTED = 3;

  @Test
  void shouldFlagAnUnflaggedLiveContributionWhenSendsRemain() {
    for (int status : new int[] {PENDING, ACCEPTED, REJECTED}) {
      assertThat(FlagDecision.decide(false, status, FlagDecision.FLAG_NONE, 0, 5))
          .isEqualTo(new FlagDecision.Flag());
      assertThat(FlagDecision.decide(false, status, FlagDecision.FLAG_NONE, 4, 5))
          .isEqualTo(new FlagDecision.Flag());
    }
  }

  @Test
  void shouldNeverFlagTwiceWhenTheChainShowsAnyFlagEvenAfterFailedSends() {
    for (int state = 1; state <= 4; state++) {
      assertThat(FlagDecision.decide(false, PENDING, state, 0, 5))
          .isEqualTo(new FlagDecision.AlreadyFlagged(state));
      assertThat(FlagDecision.decide(false, PENDING, state, 9, 5))
          .isEqualTo(new FlagDecision.AlreadyFlagged(state));
    }
    assertThat(FlagDecision.decide(false, FlagDecision.STATUS_SLASHED, 4, 0, 5))
        .isEqualTo(new FlagDecision.AlreadyFlagged(4));
  }

  @Test
  void shouldSkipSlashedWithdrawnUnknownAndRetractedContributions() {
    assertThat(FlagDecision.decide(false, FlagDecision.STATUS_SLASHED, 0, 0, 5))
        .isEqualTo(new FlagDecision.Closed(FlagDecision.STATUS_SLASHED));
    assertThat(FlagDecision.decide(false, FlagDecision.STATUS_WITHDRAWN, 0, 0, 5))
        .isEqualTo(new FlagDecision.Closed(FlagDecision.STATUS_WITHDRAWN));
    assertThat(FlagDecision.decide(false, FlagDecision.STATUS_NONE, 0, 0, 5))
        .isEqualTo(new FlagDecision.Unknown());
    assertThat(FlagDecision.decide(true, PENDING, 0, 0, 5)).isEqualTo(new FlagDecision.Retracted());
  }

  @Test
  void shouldGiveUpWhenEverySendFailedAndTheChainStillShowsNoFlag() {
    assertThat(FlagDecision.decide(false, PENDING, 0, 5, 5))
        .isInstanceOf(FlagDecision.GiveUp.class);
  }

  @Test
  void shouldDoubleTheBackoffUpToItsCap() {
    assertThat(FlagDecision.backoffMillis(1, 500, 30_000)).isEqualTo(500);
    assertThat(FlagDecision.backoffMillis(2, 500, 30_000)).isEqualTo(1000);
    assertThat(FlagDecision.backoffMillis(4, 500, 30_000)).isEqualTo(4000);
    assertThat(FlagDecision.backoffMillis(7, 500, 30_000)).isEqualTo(30_000);
    assertThat(FlagDecision.backoffMillis(1000, 500, 30_000)).isEqualTo(30_000);
    assertThat(FlagDecision.backoffMillis(3, 0, 30_000)).isZero();
  }

  @Property
  void shouldKeepTheBackoffBetweenTheFirstWaitAndTheCapWithoutOverflow(
      @ForAll @IntRange(min = 1, max = 10_000) int attempt,
      @ForAll @LongRange(min = 0, max = 1_000_000_000L) long initial,
      @ForAll @LongRange(min = 0, max = 1_000_000_000L) long extra) {
    long cap = initial + extra;
    long wait = FlagDecision.backoffMillis(attempt, initial, cap);
    assertThat(wait).isBetween(initial, cap);
    assertThat(FlagDecision.backoffMillis(attempt + 1, initial, cap)).isGreaterThanOrEqualTo(wait);
  }
}
