package org.openledger.bridge.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.openledger.config.ConfigSource;

class DecoderStreamsConfigTest {

  private static DecoderStreamsConfig load(Map<String, String> env) {
    return DecoderStreamsConfig.load(ConfigSource.of(env, Optional.empty()));
  }

  @Test
  void shouldUseTheDocumentedDefaultsWhenNothingIsSet() {
    DecoderStreamsConfig c = load(Map.of());

    assertThat(c.commitIntervalMs())
        .isEqualTo(Long.parseLong(DecoderStreamsConfig.COMMIT_INTERVAL_MS.defaultValue()));
    assertThat(c).isEqualTo(DecoderStreamsConfig.defaults());
  }

  @Test
  void shouldTakeEachSettingFromTheEnvironmentWhenSet() {
    DecoderStreamsConfig c =
        load(
            Map.of(
                "OPENLEDGER_DECODER_COMMIT_INTERVAL_MS", "50",
                "OPENLEDGER_DECODER_PRODUCER_LINGER_MS", "0",
                "OPENLEDGER_DECODER_PRODUCER_BATCH_SIZE", "65536",
                "OPENLEDGER_DECODER_CONSUMER_FETCH_MIN_BYTES", "2",
                "OPENLEDGER_DECODER_CONSUMER_FETCH_MAX_WAIT_MS", "20",
                "OPENLEDGER_DECODER_CONSUMER_MAX_POLL_RECORDS", "5000",
                "OPENLEDGER_DECODER_BUFFERED_RECORDS_PER_PARTITION", "7000",
                "OPENLEDGER_DECODER_STATESTORE_CACHE_MAX_BYTES", "0"));

    assertThat(c).isEqualTo(new DecoderStreamsConfig(50, 0, 65536, 2, 20, 5000, 7000, 0));
  }

  @Test
  void shouldRejectAZeroCommitIntervalWhenConfigured() {
    assertThatThrownBy(() -> load(Map.of("OPENLEDGER_DECODER_COMMIT_INTERVAL_MS", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("decoder.commit.interval.ms");
  }

  @Test
  void shouldPrefixClientSettingsWhenAppliedToStreamsProperties() {
    Properties props = new Properties();
    new DecoderStreamsConfig(50, 0, 65536, 2, 20, 5000, 7000, 0).applyTo(props);

    assertThat(props)
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50L)
        .containsEntry(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L)
        .containsEntry("producer.linger.ms", 0L)
        .containsEntry("producer.batch.size", 65536)
        .containsEntry("consumer.fetch.min.bytes", 2)
        .containsEntry("consumer.fetch.max.wait.ms", 20)
        .containsEntry("consumer.max.poll.records", 5000)
        .containsEntry("buffered.records.per.partition", 7000);
    // Kafka Streams accepts them: building its config validates every type.
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "t");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    assertThat(new StreamsConfig(props).getProducerConfigs("c")).containsEntry("linger.ms", 0L);
  }
}
