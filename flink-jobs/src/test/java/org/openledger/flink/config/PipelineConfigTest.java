package org.openledger.flink.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.flink.config.PipelineConfig.Job;
import org.openledger.flink.domain.FetchPolicy;

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
  void shouldCarryTheSidecarTokenButNeverPrintItWhenOneIsSet() {
    String token = "s3cret-token-of-the-sidecar-0123";
    PipelineConfig config =
        PipelineConfig.load(Map.of("OPENLEDGER_SIDECAR_TOKEN", token), Optional.empty());

    assertThat(config.sidecarToken()).isEqualTo(token);
    assertThat(config.toString()).doesNotContain(token).contains("sidecarToken=(set)");
    assertThat(PipelineConfig.load(Map.of(), Optional.empty()).sidecarToken()).isEmpty();
  }

  @Test
  void shouldDefaultToTheSecondHashingEncoderWhileTheFirstStaysSelectable() {
    assertThat(PipelineConfig.load(Map.of(), Optional.empty()).encoder())
        .isEqualTo("hashing-ngram-v2");
    assertThat(
            PipelineConfig.load(
                    Map.of("OPENLEDGER_ATTRIBUTION_ENCODER", "hashing-ngram"), Optional.empty())
                .encoder())
        .isEqualTo("hashing-ngram");
    assertThatThrownBy(
            () ->
                PipelineConfig.load(
                    Map.of("OPENLEDGER_ATTRIBUTION_ENCODER", "hashing-ngram-v3"), Optional.empty()))
        .hasMessageContaining("must be hashing-ngram, hashing-ngram-v2 or minilm-l6-v2");
  }

  @Test
  void shouldLetModelsNameOnlyTheEncodersOperatorsEnabled() {
    assertThat(PipelineConfig.load(Map.of(), Optional.empty()).encoders())
        .containsExactlyInAnyOrder("hashing-ngram", "hashing-ngram-v2");
    assertThat(
            PipelineConfig.load(
                    Map.of("OPENLEDGER_ATTRIBUTION_ENCODERS", " minilm-l6-v2 ,hashing-ngram"),
                    Optional.empty())
                .encoders())
        .containsExactlyInAnyOrder("minilm-l6-v2", "hashing-ngram");
    assertThat(
            PipelineConfig.load(Map.of("OPENLEDGER_ATTRIBUTION_ENCODERS", ""), Optional.empty())
                .encoders())
        .isEmpty(); // only the default
    assertThatThrownBy(
            () ->
                PipelineConfig.load(
                    Map.of("OPENLEDGER_ATTRIBUTION_ENCODERS", "hashing-ngram,precomputed"),
                    Optional.empty()))
        .hasMessageContaining("must be some of hashing-ngram, hashing-ngram-v2, minilm-l6-v2");
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
  void shouldBatchSealsUpTo1024InferencesOr200MsUnlessConfiguredWithinBounds() {
    PipelineConfig config = PipelineConfig.load(Map.of(), Optional.empty());
    assertThat(config.attributionBatchMaxInferences()).isEqualTo(1024);
    assertThat(config.attributionBatchMaxDelayMs()).isEqualTo(200);

    PipelineConfig perSeal =
        PipelineConfig.load(
            Map.of(
                "OPENLEDGER_ATTRIBUTION_BATCH_MAX_INFERENCES", "1",
                "OPENLEDGER_ATTRIBUTION_BATCH_MAX_DELAY_MS", "50"),
            Optional.empty());
    assertThat(perSeal.attributionBatchMaxInferences()).isEqualTo(1);
    assertThat(perSeal.attributionBatchMaxDelayMs()).isEqualTo(50);
    assertThatThrownBy(
            () ->
                PipelineConfig.load(
                    Map.of(
                        "OPENLEDGER_ATTRIBUTION_BATCH_MAX_INFERENCES", "0",
                        "OPENLEDGER_ATTRIBUTION_BATCH_MAX_DELAY_MS", "0"),
                    Optional.empty()))
        .hasMessageContaining("attribution.batch.max-inferences='0'")
        .hasMessageContaining("must be an integer from 1 to 65536")
        .hasMessageContaining("attribution.batch.max-delay.ms='0'")
        .hasMessageContaining("must be an integer from 1 to 60000");
  }

  @Test
  void shouldRunEveryJobAsOnePipelineWhenNoJobsAreNamed() {
    PipelineConfig config = PipelineConfig.load(Map.of(), Optional.empty());

    assertThat(config.jobs()).containsExactlyInAnyOrder(Job.values());
    assertThat(config.jobName()).isEqualTo("openledger pipeline");
  }

  @Test
  void shouldRunOnlyTheNamedJobsUnderTheirOwnNameWhenASubsetIsNamed() {
    PipelineConfig payment =
        PipelineConfig.load(Map.of("OPENLEDGER_PIPELINE_JOBS", "payment"), Optional.empty());
    PipelineConfig both =
        PipelineConfig.load(
            Map.of("OPENLEDGER_PIPELINE_JOBS", " Payment , attribution,payment"), Optional.empty());

    assertThat(payment.jobs()).containsExactly(Job.PAYMENT);
    assertThat(payment.runs(Job.ATTRIBUTION)).isFalse();
    assertThat(payment.jobName()).isEqualTo("openledger payment");
    assertThat(
            PipelineConfig.load(Map.of("OPENLEDGER_PIPELINE_JOBS", "attribution"), Optional.empty())
                .jobName())
        .isEqualTo("openledger attribution");
    assertThat(both.jobs()).containsExactlyInAnyOrder(Job.ATTRIBUTION, Job.PAYMENT);
    assertThat(both.jobName()).isEqualTo("openledger attribution + payment");
  }

  @Test
  void shouldRefuseJobsThatAreUnknownOrNoneWhenNamed() {
    assertThatThrownBy(
            () ->
                PipelineConfig.load(
                    Map.of("OPENLEDGER_PIPELINE_JOBS", "attribution,settlement"), Optional.empty()))
        .hasMessageContaining("pipeline.jobs='attribution,settlement'")
        .hasMessageContaining("must be a non-empty comma-separated subset of relay, attribution");
    assertThatThrownBy(
            () -> PipelineConfig.load(Map.of("OPENLEDGER_PIPELINE_JOBS", " , "), Optional.empty()))
        .hasMessageContaining("pipeline.jobs=' , '");
  }

  @Test
  void shouldRunEmbeddedAtParallelismOneUnlessTheKeySaysOtherwise() {
    assertThat(PipelineConfig.load(Map.of(), Optional.empty()).parallelism()).hasValue(1);
    assertThat(
            PipelineConfig.load(Map.of("OPENLEDGER_FLINK_PARALLELISM", "4"), Optional.empty())
                .parallelism())
        .hasValue(4);
  }

  @Test
  void shouldLeaveTheSubmittersParallelismAloneOnAClusterUnlessTheKeyIsSet(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("pipeline.properties");
    Files.writeString(file, "flink.mode=cluster\nflink.parallelism=3\n");

    assertThat(
            PipelineConfig.load(Map.of("OPENLEDGER_FLINK_MODE", "cluster"), Optional.empty())
                .parallelism())
        .isEmpty();
    assertThat(
            PipelineConfig.load(
                    Map.of("OPENLEDGER_FLINK_MODE", "cluster", "OPENLEDGER_FLINK_PARALLELISM", "1"),
                    Optional.empty())
                .parallelism())
        .hasValue(1);
    assertThat(PipelineConfig.load(Map.of(), Optional.of(file)).parallelism()).hasValue(3);
  }

  @Test
  void shouldRefuseAParallelismBeyondTheMaxParallelismWhenSet() {
    assertThatThrownBy(
            () ->
                PipelineConfig.load(
                    Map.of("OPENLEDGER_FLINK_PARALLELISM", "129"), Optional.empty()))
        .hasMessageContaining("flink.parallelism='129'")
        .hasMessageContaining("must be an integer from 1 to 128");
    assertThatThrownBy(
            () ->
                PipelineConfig.load(
                    Map.of("OPENLEDGER_FLINK_MODE", "cluster", "OPENLEDGER_FLINK_PARALLELISM", "0"),
                    Optional.empty()))
        .hasMessageContaining("flink.parallelism='0'");
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

  @Test
  void shouldFetchOnlyPublicHttpAndHttpsWhenNothingIsConfigured() {
    PipelineConfig config = PipelineConfig.load(Map.of(), Optional.empty());

    assertThat(config.fetchPolicy()).isEqualTo(FetchPolicy.production());
    assertThat(config.fetchMaxBytes()).isEqualTo(1 << 20);
    assertThat(config.fetchGiveUpAfterMs()).isZero();
    assertThat(config.fetchBackoffMinMs()).isEqualTo(1_000);
    assertThat(config.fetchBackoffMaxMs()).isEqualTo(60_000);
  }

  @Test
  void shouldAllowFilesUnderARootAndListedHostsWhenADemoConfiguresThem() {
    PipelineConfig config =
        PipelineConfig.load(
            Map.of(
                "OPENLEDGER_CONTENT_FETCH_SCHEMES", "file,https,http",
                "OPENLEDGER_CONTENT_FETCH_ROOT", "/srv/content",
                "OPENLEDGER_CONTENT_FETCH_ALLOW_HOSTS", "127.0.0.1/32,content.test",
                "OPENLEDGER_CONTENT_FETCH_MAX_REDIRECTS", "2"),
            Optional.empty());

    assertThat(config.fetchPolicy())
        .isEqualTo(
            FetchPolicy.of("file,https,http", "/srv/content", "127.0.0.1/32,content.test", 2));
  }

  @Test
  void shouldRefuseFileWithoutARootAndARootWithoutFile() {
    assertThatThrownBy(
            () ->
                PipelineConfig.load(
                    Map.of("OPENLEDGER_CONTENT_FETCH_SCHEMES", "file"), Optional.empty()))
        .hasMessageContaining("content.fetch.root is not set");
    assertThatThrownBy(
            () ->
                PipelineConfig.load(
                    Map.of("OPENLEDGER_CONTENT_FETCH_ROOT", "/srv/content"), Optional.empty()))
        .hasMessageContaining("does not include file");
  }

  @Test
  void shouldNameTheFetchKeyWhenItsValueIsInvalid() {
    assertThatThrownBy(
            () ->
                PipelineConfig.load(
                    Map.of(
                        "OPENLEDGER_CONTENT_FETCH_SCHEMES", "https,gopher",
                        "OPENLEDGER_CONTENT_FETCH_ALLOW_HOSTS", "10.0.0.0/99",
                        "OPENLEDGER_CONTENT_FETCH_MAX_REDIRECTS", "11"),
                    Optional.empty()))
        .hasMessageContaining("content.fetch.schemes='https,gopher'")
        .hasMessageContaining("content.fetch.allow-hosts='10.0.0.0/99'")
        .hasMessageContaining("content.fetch.max-redirects='11'");
    assertThatThrownBy(
            () ->
                PipelineConfig.load(
                    Map.of(
                        "OPENLEDGER_CONTENT_FETCH_BACKOFF_MIN_MS", "5000",
                        "OPENLEDGER_CONTENT_FETCH_BACKOFF_MAX_MS", "1000"),
                    Optional.empty()))
        .hasMessageContaining("content.fetch.backoff.max.ms must be at least");
  }
}
