package org.openledger.flink.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineConfigTest {

  @Test
  void shouldUseLoopbackDefaultsWhenNothingIsConfigured() {
    PipelineConfig config = PipelineConfig.load(Map.of(), Optional.empty());

    assertThat(config.kafkaBootstrap()).isEqualTo("127.0.0.1:9092");
    assertThat(config.restAddress()).isEqualTo("127.0.0.1");
    assertThat(config.restPort()).isEqualTo(8081);
    assertThat(config.checkpointIntervalMs()).isEqualTo(1000);
    assertThat(config.embedded()).isTrue();
  }

  @Test
  void shouldRunOnARealClusterWhenModeIsCluster() {
    assertThat(
            PipelineConfig.load(Map.of("OPENLEDGER_FLINK_MODE", "cluster"), Optional.empty())
                .embedded())
        .isFalse();
    assertThatThrownBy(
            () -> PipelineConfig.load(Map.of("OPENLEDGER_FLINK_MODE", "yarn"), Optional.empty()))
        .hasMessageContaining("flink.mode='yarn'")
        .hasMessageContaining("must be 'embedded' or 'cluster'");
  }

  @Test
  void shouldLetEnvironmentOverrideFileAndFileOverrideDefaults(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pipeline.properties");
    Files.writeString(file, "flink.rest.port=18081\nkafka.bootstrap=10.0.0.1:9092\n");

    PipelineConfig config =
        PipelineConfig.load(
            Map.of("OPENLEDGER_KAFKA_BOOTSTRAP", "127.0.0.1:19092"), Optional.of(file));

    assertThat(config.restPort()).isEqualTo(18081);
    assertThat(config.kafkaBootstrap()).isEqualTo("127.0.0.1:19092");
  }

  @Test
  void shouldNameEveryInvalidKeyWhenValuesFailTheirChecks() {
    assertThatThrownBy(
            () ->
                PipelineConfig.load(
                    Map.of(
                        "OPENLEDGER_FLINK_REST_PORT", "http",
                        "OPENLEDGER_CHECKPOINT_INTERVAL_MS", "5"),
                    Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "flink.rest.port='http' (from environment OPENLEDGER_FLINK_REST_PORT)")
        .hasMessageContaining("must be a TCP port")
        .hasMessageContaining("checkpoint.interval.ms='5'")
        .hasMessageContaining("must be an integer >= 100");
  }

  @Test
  void shouldDescribeEveryKey() {
    assertThat(PipelineConfig.KEYS)
        .allSatisfy(
            key -> {
              assertThat(key.description()).isNotBlank();
              assertThat(key.environmentVariable()).startsWith("OPENLEDGER_");
            });
  }
}
