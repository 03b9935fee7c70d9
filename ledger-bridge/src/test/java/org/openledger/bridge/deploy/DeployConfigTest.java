package org.openledger.bridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openledger.events.ShareRule;

/**
 * The initial share rule and challenge parameters of {@code bin/openledger deploy}: their keys,
 * defaults and checks.
 */
class DeployConfigTest {

  @Test
  void shouldStartWithThePlansDefaultShareRuleWhenNoneIsConfigured() {
    assertThat(DeployConfig.load(Map.of()).share()).isEqualTo(DeploymentPlan.DEFAULT_SHARE);
    assertThat(DeploymentPlan.dev("0xs", "0xl", "0xt").params().share())
        .isEqualTo(new DeploymentPlan.Share(ShareRule.POWER, 3));
  }

  @Test
  void shouldTakeARuleAndItsExponentFromTheEnvironmentInAnyCase() {
    DeployConfig config =
        DeployConfig.load(
            Map.of("OPENLEDGER_SHARE_RULE", "power", "OPENLEDGER_SHARE_RULE_PARAM", "4"));

    assertThat(config.share()).isEqualTo(new DeploymentPlan.Share(ShareRule.POWER, 4));
    assertThat(DeployConfig.load(Map.of("OPENLEDGER_SHARE_RULE", "TOP1")).share())
        .isEqualTo(new DeploymentPlan.Share(ShareRule.TOP1, 0));
    assertThat(DeployConfig.load(Map.of("OPENLEDGER_SHARE_RULE", "POWER")).share())
        .isEqualTo(new DeploymentPlan.Share(ShareRule.POWER, 3));
    assertThat(DeployConfig.load(Map.of("OPENLEDGER_SHARE_RULE_PARAM", "2")).share())
        .isEqualTo(new DeploymentPlan.Share(ShareRule.POWER, 2));
  }

  @Test
  void shouldRefuseAnUnknownRuleOrAParameterTheRuleDoesNotTake() {
    assertThatThrownBy(() -> DeployConfig.load(Map.of("OPENLEDGER_SHARE_RULE", "SOFTMAX")))
        .hasMessageContaining("share.rule='SOFTMAX'")
        .hasMessageContaining("must be LINEAR, TOP1 or POWER");
    assertThatThrownBy(
            () ->
                DeployConfig.load(
                    Map.of("OPENLEDGER_SHARE_RULE", "POWER", "OPENLEDGER_SHARE_RULE_PARAM", "0")))
        .hasMessageContaining("share.rule=POWER, share.rule.param=0")
        .hasMessageContaining("POWER takes an exponent of 1 to 8, not 0");
    assertThatThrownBy(
            () ->
                DeployConfig.load(
                    Map.of("OPENLEDGER_SHARE_RULE", "POWER", "OPENLEDGER_SHARE_RULE_PARAM", "9")))
        .hasMessageContaining("share.rule.param='9'");
    assertThatThrownBy(
            () ->
                DeployConfig.load(
                    Map.of("OPENLEDGER_SHARE_RULE", "LINEAR", "OPENLEDGER_SHARE_RULE_PARAM", "2")))
        .hasMessageContaining("LINEAR takes no parameter (0), not 2");
  }

  @Test
  void shouldTakeTheChallengeWindowAndBondsFromTheEnvironmentAndRefuseAZeroWindow() {
    assertThat(DeployConfig.load(Map.of()).challenge()).isEqualTo(DeploymentPlan.DEV_CHALLENGE);
    DeploymentPlan.Challenge production =
        DeployConfig.load(
                Map.of(
                    "OPENLEDGER_CHALLENGE_WINDOW_BLOCKS", "43200",
                    "OPENLEDGER_CHALLENGE_PROPOSER_BOND", "5000000000000000000000",
                    "OPENLEDGER_CHALLENGE_CHALLENGER_BOND", "1000000000000000000000",
                    "OPENLEDGER_SETTLER_BOND_FUNDS", "0"))
            .challenge();
    assertThat(production.windowBlocks()).isEqualTo(43_200);
    assertThat(production.proposerBond())
        .isEqualTo(new java.math.BigInteger("5000000000000000000000"));
    assertThat(production.settlerFunds()).isZero();
    assertThatThrownBy(() -> DeployConfig.load(Map.of("OPENLEDGER_CHALLENGE_WINDOW_BLOCKS", "0")))
        .hasMessageContaining("challenge.window.blocks");
    assertThatThrownBy(
            () ->
                DeployConfig.load(
                    Map.of("OPENLEDGER_CHALLENGE_PROPOSER_BOND", "1" + "0".repeat(30))))
        .hasMessageContaining("96 bits");
  }
}
