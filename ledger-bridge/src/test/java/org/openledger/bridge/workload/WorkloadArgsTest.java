package org.openledger.bridge.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WorkloadArgsTest {

  @Test
  void shouldUseTheDefaultsWhenGivenNoOptions() {
    WorkloadArgs a = WorkloadArgs.parse(new String[0]);

    assertThat(a.options()).isEqualTo(new WorkloadPlan.Options(4, 12, 3, 2, 120, 8, 3, 1L));
    assertThat(a.rate()).isEqualTo(4.0);
    assertThat(a.fortunes()).isEqualTo(Path.of("/usr/share/games/fortunes"));
  }

  @Test
  void shouldTakeSizeRateAndSeedWhenGiven() {
    WorkloadArgs a =
        WorkloadArgs.parse(
            new String[] {"--inferences", "500", "--rate", "0.5", "--seed", "42", "--report", "r"});

    assertThat(a.options().inferences()).isEqualTo(500);
    assertThat(a.options().seed()).isEqualTo(42L);
    assertThat(a.rate()).isEqualTo(0.5);
    assertThat(a.report()).isEqualTo(Path.of("r"));
  }

  @Test
  void shouldRefuseWithTheUsageWhenAnOptionIsUnknownOrTheRateIsNotPositive() {
    assertThatThrownBy(() -> WorkloadArgs.parse(new String[] {"--size", "3"}))
        .hasMessageContaining("unknown or incomplete option --size")
        .hasMessageContaining("usage: workload");
    assertThatThrownBy(() -> WorkloadArgs.parse(new String[] {"--rate", "0"}))
        .hasMessageContaining("--rate must be positive");
  }

  @Test
  void shouldRefuseMoreSendersThanPayersOrAGovernanceChangeWithParallelSenders() {
    assertThatThrownBy(() -> WorkloadArgs.parse(new String[] {"--senders", "4", "--payers", "3"}))
        .hasMessageContaining("--senders is 1 to --payers");
    assertThatThrownBy(() -> WorkloadArgs.parse(new String[] {"--senders", "2", "--payers", "2"}))
        .hasMessageContaining("needs --governance off");
    WorkloadArgs a =
        WorkloadArgs.parse(new String[] {"--senders", "8", "--payers", "8", "--governance", "off"});
    assertThat(a.senders()).isEqualTo(8);
    assertThat(a.governance()).isFalse();
  }
}
