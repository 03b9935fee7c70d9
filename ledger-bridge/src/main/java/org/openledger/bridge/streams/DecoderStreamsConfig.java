package org.openledger.bridge.streams;

import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.openledger.config.ConfigKey;
import org.openledger.config.ConfigSource;

/**
 * The decoder's Kafka Streams tuning as validated configuration keys (file or environment), so an
 * operator can trade throughput against how soon decoded records become visible without a rebuild.
 * The defaults are the measured ones of docs/BENCHMARKS.md ("Chain follower and decoder").
 */
public record DecoderStreamsConfig(
    long commitIntervalMs,
    long lingerMs,
    long batchSize,
    long fetchMinBytes,
    long fetchMaxWaitMs,
    long maxPollRecords,
    long bufferedRecordsPerPartition,
    long cacheMaxBytes) {

  /**
   * Exactly once: a read_committed reader sees decoded records only when the transaction that wrote
   * them commits, so this bounds the decoder's share of block-to-decoded latency.
   */
  public static final ConfigKey<Long> COMMIT_INTERVAL_MS =
      ConfigKey.atLeast(
          "decoder.commit.interval.ms",
          200,
          1,
          "how often the decoder commits its transaction; decoded records become visible to"
              + " read_committed readers only then (latency bound), each commit costs a flush and"
              + " a transaction round trip (throughput)");

  public static final ConfigKey<Long> LINGER_MS =
      ConfigKey.atLeast(
          "decoder.producer.linger.ms",
          5,
          0,
          "how long the producer waits to fill a batch; a commit flushes regardless");

  public static final ConfigKey<Long> BATCH_SIZE =
      ConfigKey.atLeast(
          "decoder.producer.batch.size", 262144, 1, "producer batch size per partition, bytes");

  public static final ConfigKey<Long> FETCH_MIN_BYTES =
      ConfigKey.atLeast(
          "decoder.consumer.fetch.min.bytes",
          1,
          1,
          "bytes the broker gathers before answering a fetch (1: answer at once, lowest latency)");

  public static final ConfigKey<Long> FETCH_MAX_WAIT_MS =
      ConfigKey.atLeast(
          "decoder.consumer.fetch.max.wait.ms",
          500,
          0,
          "the longest the broker holds a fetch waiting for fetch.min.bytes");

  public static final ConfigKey<Long> MAX_POLL_RECORDS =
      ConfigKey.atLeast(
          "decoder.consumer.max.poll.records", 5000, 1, "records one poll hands to the topology");

  /**
   * Kafka Streams pauses fetching a partition once this many of its records wait in the task's
   * queue; with the default 1,000 a catching-up decoder stalls on a fetch round trip every 1,000
   * records (all the decoder's input is one partition).
   */
  public static final ConfigKey<Long> BUFFERED_RECORDS =
      ConfigKey.atLeast(
          "decoder.buffered.records.per.partition",
          10000,
          1,
          "raw records buffered before the decoder pauses fetching (memory: ~0.5 KB each)");

  public static final ConfigKey<Long> CACHE_MAX_BYTES =
      ConfigKey.atLeast(
          "decoder.statestore.cache.max.bytes",
          10L * 1024 * 1024,
          0,
          "record cache of the balances stores (the decoder itself has no store); also delays"
              + " their changelog writes until a commit");

  /** Every key, for {@link ConfigSource#validate}. */
  public static final List<ConfigKey<?>> KEYS =
      List.of(
          COMMIT_INTERVAL_MS,
          LINGER_MS,
          BATCH_SIZE,
          FETCH_MIN_BYTES,
          FETCH_MAX_WAIT_MS,
          MAX_POLL_RECORDS,
          BUFFERED_RECORDS,
          CACHE_MAX_BYTES);

  /** Reads (and checks) every key from {@code source}. */
  public static DecoderStreamsConfig load(ConfigSource source) {
    source.validate(KEYS);
    return new DecoderStreamsConfig(
        source.get(COMMIT_INTERVAL_MS),
        source.get(LINGER_MS),
        source.get(BATCH_SIZE),
        source.get(FETCH_MIN_BYTES),
        source.get(FETCH_MAX_WAIT_MS),
        source.get(MAX_POLL_RECORDS),
        source.get(BUFFERED_RECORDS),
        source.get(CACHE_MAX_BYTES));
  }

  /** The defaults, for tests and benchmarks that take no configuration. */
  public static DecoderStreamsConfig defaults() {
    return load(ConfigSource.of(java.util.Map.of(), java.util.Optional.empty()));
  }

  /** Puts these settings into Kafka Streams properties (the producer's and consumer's prefixed). */
  public void applyTo(Properties props) {
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheMaxBytes);
    props.put("buffered.records.per.partition", (int) bufferedRecordsPerPartition);
    props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), lingerMs);
    props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), (int) batchSize);
    props.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), (int) fetchMinBytes);
    props.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
        (int) fetchMaxWaitMs);
    props.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), (int) maxPollRecords);
  }
}
