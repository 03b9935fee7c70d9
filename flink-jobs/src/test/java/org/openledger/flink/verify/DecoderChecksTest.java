package org.openledger.flink.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.openledger.events.BlockSealed;
import org.openledger.events.ChainEvent;
import org.openledger.events.ChainPosition;
import org.openledger.events.InferencePaid;

class DecoderChecksTest {

  private static ChainPosition at(String hash, int log) {
    return ChainPosition.newBuilder()
        .setChainId(1337)
        .setBlockNumber(7)
        .setBlockHash(hash)
        .setBlockTimestamp(0)
        .setTxHash("0x" + "cd".repeat(32))
        .setLogIndex(log)
        .build();
  }

  private static ChainEvent paid(String hash, int log, boolean removed) {
    return ChainEvent.newBuilder()
        .setEvent(
            InferencePaid.newBuilder()
                .setPosition(at(hash, log))
                .setRemoved(removed)
                .setInferenceId(1)
                .setModelId(1)
                .setPayer("0x" + "00".repeat(20))
                .setFee(BigDecimal.TEN)
                .setQueryHash("0x" + "00".repeat(32))
                .setQueryUri("")
                .build())
        .build();
  }

  private static final String A = "0x" + "aa".repeat(32);
  private static final String B = "0x" + "bb".repeat(32);

  @Test
  void shouldPassWhenAReorgSendsABranchAgainAfterRetractingIt() {
    DecoderChecks.OnceCounter once = new DecoderChecks.OnceCounter();
    once.add(paid(A, 0, false));
    once.add(paid(A, 1, false));
    once.add(paid(A, 0, true)); // reorged away...
    once.add(paid(B, 0, false));
    once.add(paid(B, 0, true));
    once.add(paid(A, 0, false)); // ...and back
    once.add(
        ChainEvent.newBuilder()
            .setEvent(BlockSealed.newBuilder().setPosition(at(A, -1)).build())
            .build());
    once.add(
        ChainEvent.newBuilder()
            .setEvent(BlockSealed.newBuilder().setPosition(at(A, -1)).build())
            .build());
    assertThat(once.result().held()).isTrue();
  }

  @Test
  void shouldFailWhenALiveEventIsDecodedAgain() {
    DecoderChecks.OnceCounter once = new DecoderChecks.OnceCounter();
    once.add(paid(A, 0, false));
    once.add(paid(A, 1, false));
    once.add(paid(A, 0, false));
    var result = once.result();
    assertThat(result.held()).isFalse();
    assertThat(result.detail()).contains("1 copies").contains("InferencePaid at block 7 log 0");
  }

  @Test
  void shouldFailWhenTheBalancesApiCreditsAPayeeOtherThanItsAccruals() {
    Map<String, BigInteger> accrued = Map.of("0xa1", BigInteger.valueOf(700));
    assertThat(
            DecoderChecks.balancesAsAccrued(accrued, p -> Optional.of(BigInteger.valueOf(700)))
                .held())
        .isTrue();
    var doubled =
        DecoderChecks.balancesAsAccrued(accrued, p -> Optional.of(BigInteger.valueOf(1400)));
    assertThat(doubled.held()).isFalse();
    assertThat(doubled.detail()).contains("0xa1 shows 1400 of 700");
    assertThat(DecoderChecks.balancesAsAccrued(accrued, p -> Optional.empty()).held()).isFalse();
  }
}
