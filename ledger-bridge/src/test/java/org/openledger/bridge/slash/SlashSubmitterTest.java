package org.openledger.bridge.slash;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.domain.slash.FlagDecision;

class SlashSubmitterTest {

  private static final int PENDING = 1;

  /** A chain whose flag sends fail as scripted; a successful send sets the flag. */
  private static class FakeChain implements FlagChain {
    int status = PENDING;
    int flagState = FlagDecision.FLAG_NONE;
    final Deque<Object> script = new ArrayDeque<>(); // Boolean ok, or an IOException to throw
    final List<String> sends = new ArrayList<>();
    int unreachableReads;

    @Override
    public State read(long contributionId) throws IOException {
      if (unreachableReads > 0) {
        unreachableReads--;
        throw new IOException("connection refused");
      }
      return new State(status, flagState);
    }

    @Override
    public Sent flag(long contributionId, int reasonCode, String evidence) throws IOException {
      sends.add(contributionId + ":" + reasonCode + ":" + evidence);
      Object next = script.isEmpty() ? Boolean.TRUE : script.poll();
      if (next instanceof IOException e) {
        throw e;
      }
      if ((Boolean) next) {
        flagState = 1;
        return new Sent(true, "0xabc at block 7");
      }
      return new Sent(false, "reverted");
    }
  }

  private final FakeChain chain = new FakeChain();
  private final SlashSubmitterMetrics metrics = new SlashSubmitterMetrics();
  private final List<Long> waits = new ArrayList<>();
  private final SlashSubmitter submitter =
      new SlashSubmitter(chain, metrics, new SlashSubmitter.Retry(3, 100, 250), waits::add);

  @Test
  void shouldSendOneFlagWithTheProposalsReasonAndEvidence() throws Exception {
    var outcome = submitter.submit(Proposals.duplicate(7, 3, false));

    assertThat(outcome.decision()).isEqualTo(new FlagDecision.Flag());
    assertThat(outcome.deadLetter()).isNull();
    assertThat(chain.sends)
        .containsExactly(
            "7:1:duplicate-of=3 similarity-ppm=990000 bound-ppm=750000 params-version=1"
                + " encoder=hashing-ngram-v2 contributed-at=17:0");
    assertThat(metrics.flagged.get()).isEqualTo(1);
  }

  @Test
  void shouldFlagLowQualityContentWithItsOwnReasonAndTheRuleItBroke() throws Exception {
    var proposal = Proposals.duplicate(8, 0, false);
    proposal.setReasonCode(2);
    proposal.setDetail("near-empty meaningful=0 min=3");

    submitter.submit(proposal);

    assertThat(chain.sends)
        .containsExactly(
            "8:2:low-quality=near-empty meaningful=0 min=3 params-version=1 contributed-at=18:0");
  }

  @Test
  void shouldNotSendAgainWhenARedeliveredProposalIsAlreadyFlagged() throws Exception {
    submitter.submit(Proposals.duplicate(7, 3, false));

    var again = submitter.submit(Proposals.duplicate(7, 3, false));

    assertThat(again.decision()).isEqualTo(new FlagDecision.AlreadyFlagged(1));
    assertThat(chain.sends).hasSize(1);
    assertThat(metrics.alreadyFlagged.get()).isEqualTo(1);
  }

  @Test
  void shouldRetryAFailedSendWithADoublingBackoffAfterReadingTheChainAgain() throws Exception {
    chain.script.add(false);
    chain.script.add(new IOException("timeout"));
    chain.script.add(false);

    var outcome = submitter.submit(Proposals.duplicate(7, 3, false));

    assertThat(outcome.decision()).isEqualTo(new FlagDecision.Flag());
    assertThat(chain.sends).hasSize(4);
    assertThat(waits).containsExactly(100L, 100L, 200L);
    assertThat(metrics.failedSends.get()).isEqualTo(2);
    assertThat(metrics.transientErrors.get()).isEqualTo(1);
  }

  @Test
  void shouldStopRetryingWhenAnUnconfirmedSendTurnsOutMined() throws Exception {
    FakeChain minedAnyway =
        new FakeChain() {
          @Override
          public Sent flag(long id, int reason, String evidence) throws IOException {
            sends.add("sent");
            flagState = 1; // mined, but the receipt never reached us
            throw new IOException("receipt lost");
          }
        };
    var s = new SlashSubmitter(minedAnyway, metrics, new SlashSubmitter.Retry(3, 1, 1), w -> {});

    var outcome = s.submit(Proposals.duplicate(7, 3, false));

    assertThat(outcome.decision()).isEqualTo(new FlagDecision.AlreadyFlagged(1));
    assertThat(minedAnyway.sends).hasSize(1);
  }

  @Test
  void shouldDeadLetterAfterTheLastFailedSend() throws Exception {
    for (int i = 0; i < 3; i++) {
      chain.script.add(false);
    }

    var outcome = submitter.submit(Proposals.duplicate(7, 3, false));

    assertThat(outcome.decision()).isInstanceOf(FlagDecision.GiveUp.class);
    assertThat(outcome.deadLetter()).contains("contribution 7").contains("3 flag transactions");
    assertThat(chain.sends).hasSize(3);
    assertThat(waits).containsExactly(100L, 200L, 250L);
  }

  @Test
  void shouldReadAgainWhileTheNodeIsUnreachable() throws Exception {
    chain.unreachableReads = 2;

    var outcome = submitter.submit(Proposals.duplicate(7, 3, false));

    assertThat(outcome.decision()).isEqualTo(new FlagDecision.Flag());
    assertThat(waits).containsExactly(100L, 200L);
  }

  @Test
  void shouldNeverFlagOnARetractionOrAClosedContribution() throws Exception {
    assertThat(submitter.submit(Proposals.duplicate(7, 3, true)).decision())
        .isEqualTo(new FlagDecision.Retracted());
    chain.status = FlagDecision.STATUS_WITHDRAWN;
    assertThat(submitter.submit(Proposals.duplicate(7, 3, false)).decision())
        .isEqualTo(new FlagDecision.Closed(FlagDecision.STATUS_WITHDRAWN));
    assertThat(chain.sends).isEmpty();
  }
}
