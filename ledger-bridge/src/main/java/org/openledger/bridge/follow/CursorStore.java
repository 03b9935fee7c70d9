package org.openledger.bridge.follow;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.openledger.pipeline.FollowerCursor;
import org.openledger.schemas.serde.ConfluentAvroSerde;

/**
 * Reads the follower's last committed cursor back from its compacted topic. Only committed records
 * count (read_committed), so a cursor of a transaction a crash cut short is never seen.
 */
final class CursorStore {

  private CursorStore() {}

  static Optional<FollowerCursor> load(
      String bootstrap, String topic, String key, ConfluentAvroSerde<FollowerCursor> serde) {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      // For read_committed consumers the end offset is the last stable offset.
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      byte[] last = null;
      while (consumer.position(partition) < end) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (key.equals(r.key())) {
            last = r.value();
          }
        }
      }
      return Optional.ofNullable(last).map(serde::decode);
    }
  }
}
