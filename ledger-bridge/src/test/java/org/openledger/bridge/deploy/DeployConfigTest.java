package org.openledger.bridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openledger.events.ShareRule;

/** The initial share rule of {@code bin/openledger deploy}: its keys, default and checks. */
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
}
