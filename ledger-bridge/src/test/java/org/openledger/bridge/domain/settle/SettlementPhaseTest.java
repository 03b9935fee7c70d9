package org.openledger.bridge.domain.settle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.openledger.bridge.domain.settle.BatchOnChain.State;
import org.openledger.bridge.domain.settle.SettlementDecision.AwaitResolution;
import org.openledger.bridge.domain.settle.SettlementDecision.AwaitWindow;
import org.openledger.bridge.domain.settle.SettlementDecision.Finalize;
import org.openledger.bridge.domain.settle.SettlementDecision.Paid;
import org.openledger.bridge.domain.settle.SettlementDecision.Propose;
import org.openledger.bridge.domain.settle.SettlementDecision.Voided;

/** The optimistic settlement's phases of a batch, from its chain state and the head alone. */
class SettlementPhaseTest {

  @Test
  void shouldProposeWhenNothingIsOnChain() {
    assertThat(SettlementDecision.phase(BatchOnChain.none(), 50)).isEqualTo(new Propose());
  }

  @Test
  void shouldWaitOutTheChallengeWindowUpToAndIncludingTheDeadlineBlock() {
    BatchOnChain proposed = new BatchOnChain(State.PROPOSED, 100, false);
    assertThat(SettlementDecision.phase(proposed, 97)).isEqualTo(new AwaitWindow(100));
    // the head is the deadline: a challenge can still land in it, and a simulation runs in it
    assertThat(SettlementDecision.phase(proposed, 100)).isEqualTo(new AwaitWindow(100));
    assertThat(SettlementDecision.phase(proposed, 101)).isEqualTo(new Finalize());
  }

  @Test
  void shouldWaitForGovernanceWhenChallengedWhateverTheHead() {
    BatchOnChain challenged = new BatchOnChain(State.CHALLENGED, 100, false);
    assertThat(SettlementDecision.phase(challenged, 99)).isEqualTo(new AwaitResolution());
    assertThat(SettlementDecision.phase(challenged, 10_000)).isEqualTo(new AwaitResolution());
  }

  @Test
  void shouldFinalizeAtOnceWhenTheChallengeWasRejected() {
    assertThat(SettlementDecision.phase(new BatchOnChain(State.REJECTED, 100, false), 100))
        .isEqualTo(new Finalize());
  }

  @Test
  void shouldStopWhenPaidOrVoided() {
    assertThat(SettlementDecision.phase(new BatchOnChain(State.SETTLED, 100, false), 101))
        .isEqualTo(new Paid());
    assertThat(SettlementDecision.phase(new BatchOnChain(State.NONE, 0, true), 101))
        .isEqualTo(new Voided());
  }

  @Test
  void shouldMapTheContractsStateCodesAndRefuseUnknownOnes() {
    assertThat(State.of(0)).isEqualTo(State.NONE);
    assertThat(State.of(4)).isEqualTo(State.SETTLED);
    assertThatThrownBy(() -> State.of(5)).isInstanceOf(IllegalArgumentException.class);
  }
}
