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

  @Test
  void shouldWaitForEachReceiptUnlessAskedToSendAsync() {
    assertThat(WorkloadArgs.parse(new String[0]).async()).isFalse();
    assertThat(WorkloadArgs.parse(new String[] {"--send", "async"}).async()).isTrue();
    assertThatThrownBy(() -> WorkloadArgs.parse(new String[] {"--send", "fast"}))
        .hasMessageContaining("--send is wait or async");
  }

  @Test
  void shouldOfferTheRateForTheDurationWhenADurationIsGiven() {
    WorkloadArgs a =
        WorkloadArgs.parse(
            new String[] {"--inferences", "5", "--rate", "1000", "--duration", "10m"});

    assertThat(a.options().inferences()).isEqualTo(600_000);
    assertThat(WorkloadArgs.seconds("90")).isEqualTo(90);
    assertThat(WorkloadArgs.seconds("90s")).isEqualTo(90);
    assertThat(WorkloadArgs.seconds("2h")).isEqualTo(7200);
    assertThat(
            WorkloadArgs.parse(new String[] {"--rate", "2.5", "--duration", "3s"})
                .options()
                .inferences())
        .isEqualTo(8);
    assertThatThrownBy(() -> WorkloadArgs.seconds("10d")).hasMessageContaining("--duration");
    assertThatThrownBy(() -> WorkloadArgs.seconds("0m")).hasMessageContaining("--duration");
  }
}
