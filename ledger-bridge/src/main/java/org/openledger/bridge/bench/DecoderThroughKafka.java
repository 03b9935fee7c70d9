package org.openledger.bridge.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.openledger.bridge.decode.ChainEventDecoder;
import org.openledger.bridge.follow.FollowerConfig;
import org.openledger.schemas.registry.SchemaRegistryClient;

/**
 * The decoder app's topology run through Kafka over a followed raw topic, for {@link
 * FollowerBenchmark}: its rate from start and after its first record, and its stream thread's CPU,
 * so the benchmark can tell start-up, waiting and per-record work apart.
 */
final class DecoderThroughKafka {

  private DecoderThroughKafka() {}

  /** The decoder through Kafka: records/s from start, and from its first decoded record on. */
  record Run(
      double fromStart, double afterFirst, double startSeconds, double streamCpu, double wall) {}

  /**
   * Runs the decoder app's topology, with the decoder's settings read from the environment like the
   * app's, over a followed raw topic.
   */
  static Run run(
      FollowerConfig config,
      String prefix,
      long logs,
      ChainEventDecoder decoder,
      Map<String, String> env)
      throws Exception {
    org.openledger.bridge.streams.TopicNames names =
        new org.openledger.bridge.streams.TopicNames(prefix);
    org.openledger.bridge.streams.DecoderApp.ensureTopics(config.kafkaBootstrap(), names);
    org.openledger.bridge.streams.DecoderMetrics metrics =
        new org.openledger.bridge.streams.DecoderMetrics();
    org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();
    org.openledger.bridge.streams.DecoderTopology.build(
        builder,
        names,
        new SchemaRegistryClient(URI.create(config.registryUrl())),
        decoder,
        metrics);
    var tuning =
        org.openledger.bridge.streams.DecoderStreamsConfig.load(
            org.openledger.config.ConfigSource.of(env, java.util.Optional.empty()));
    System.out.println("decoder settings: " + tuning);
    Path state = Files.createTempDirectory("bench-decoder");
    try (org.apache.kafka.streams.KafkaStreams streams =
        new org.apache.kafka.streams.KafkaStreams(
            builder.build(),
            org.openledger.bridge.streams.DecoderApp.streamsProps(
                config.kafkaBootstrap(), names, state.toString(), tuning))) {
      long t = System.nanoTime();
      streams.start();
      long deadline = t + 300_000_000_000L;
      long first = 0;
      long done;
      // Startup (group join, initTransactions, metadata) is a one-off; the rate after the first
      // record is what a catching-up decoder sustains.
      while ((done = metrics.decodedTotal() + metrics.ignoredTotal() + metrics.deadLetters()) < logs
          && System.nanoTime() < deadline) {
        if (first == 0 && done > 0) {
          first = System.nanoTime();
        }
        Thread.sleep(5);
      }
      long end = System.nanoTime();
      // CPU the stream thread itself used: far below the wall time means it waited (commits,
      // fetches), near it means the per-record work bounds the rate.
      var mx = java.lang.management.ManagementFactory.getThreadMXBean();
      double streamCpu =
          Thread.getAllStackTraces().keySet().stream()
                  .filter(th -> th.getName().startsWith(names.prefix() + "openledger-decoder"))
                  .filter(th -> th.getName().endsWith("StreamThread-1"))
                  .mapToLong(th -> Math.max(0, mx.getThreadCpuTime(th.getId())))
                  .sum()
              / 1e9;
      if (first == 0) {
        first = end;
      }
      return new Run(
          logs / ((end - t) / 1e9),
          logs / (Math.max(1, end - first) / 1e9),
          (first - t) / 1e9,
          streamCpu,
          (end - t) / 1e9);
    }
  }
}
