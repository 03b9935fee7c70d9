package org.openledger.bridge.slash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.chain.DevAccounts;

/** The slash submitter's keys: defaults on the dev chain, the flagger key required elsewhere. */
class SlashSubmitterConfigTest {

  @Test
  void shouldFlagAsDevAccountTwoWithTheDefaultRetryOnTheDevChain() {
    SlashSubmitterConfig config = SlashSubmitterConfig.load(Map.of());

    assertThat(config.flagger().getAddress())
        .isEqualTo(DevAccounts.devNode().account(2).getAddress());
    assertThat(config.retry()).isEqualTo(new SlashSubmitter.Retry(5, 500, 30_000));
    assertThat(config.proposalsTopic()).isEqualTo("attribution.slash-proposals");
    assertThat(config.groupId()).isEqualTo("openledger-slash-submitter");
    assertThat(config.metricsPort()).isEqualTo(9468);
  }

  @Test
  void shouldPrefixTopicsAndGroupAndKeepTheCapAtLeastTheFirstWait() {
    SlashSubmitterConfig config =
        SlashSubmitterConfig.load(
            Map.of(
                "OPENLEDGER_TOPIC_PREFIX", "t1-",
                "OPENLEDGER_SLASHING_BACKOFF_MS", "2000",
                "OPENLEDGER_SLASHING_BACKOFF_MAX_MS", "100",
                "OPENLEDGER_SLASHING_MAX_SENDS", "2"));

    assertThat(config.proposalsTopic()).isEqualTo("t1-attribution.slash-proposals");
    assertThat(config.deadLetterTopic()).isEqualTo("t1-pipeline.dead-letters");
    assertThat(config.groupId()).isEqualTo("t1-openledger-slash-submitter");
    assertThat(config.retry()).isEqualTo(new SlashSubmitter.Retry(2, 2000, 2000));
  }

  @Test
  void shouldRequireAValidFlaggerKeyOffTheDevChain() {
    assertThatThrownBy(() -> SlashSubmitterConfig.load(Map.of("OPENLEDGER_EVM_CHAIN_ID", "1")))
        .hasMessageContaining("flagger.key is required on chain 1");
    assertThatThrownBy(() -> SlashSubmitterConfig.load(Map.of("OPENLEDGER_FLAGGER_KEY", "0x12")))
        .hasMessageContaining("flagger.key is not a private key")
        .hasMessageNotContaining("0x12");
    assertThatThrownBy(
            () -> SlashSubmitterConfig.load(Map.of("OPENLEDGER_SLASHING_MAX_SENDS", "0")))
        .hasMessageContaining("slashing.max.sends");
  }
}
