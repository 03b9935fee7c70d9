package org.openledger.bridge.follow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.openledger.events.RawChainLog;
import org.openledger.events.RawRecordKind;
import org.openledger.pipeline.RecentBlock;
import org.openledger.schemas.serde.ConfluentAvroSerde;

/**
 * The logs of recently written blocks, read back from the raw topic when a reorg drops them. The
 * cursor only points at them (first offset and count per block): keeping them inline made it one
 * record of every recent log, over Kafka's 1 MiB limit at a few hundred logs per block, and
 * rewritten on every step. A reorg is rare; this read is its cost.
 */
final class RecentLogs {

  private static final Duration POLL = Duration.ofMillis(500);
  private static final long TIMEOUT_MS = 60_000;

  private final String bootstrap;
  private final String topic;
  private final ConfluentAvroSerde<RawChainLog> serde;

  RecentLogs(String bootstrap, String topic, ConfluentAvroSerde<RawChainLog> serde) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.serde = serde;
  }

  /**
   * Each block's logs in log order: inline ones as they are, the others read once from the raw
   * topic (committed records only, from the smallest first offset, matched by block hash).
   */
  Map<String, List<RawChainLog>> of(List<RecentBlock> blocks) {
    Map<String, List<RawChainLog>> found = new HashMap<>();
    Map<String, Integer> wanted = new HashMap<>();
    long from = Long.MAX_VALUE;
    for (RecentBlock b : blocks) {
      if (!b.getLogs().isEmpty() || b.getLogCount() == 0) {
        found.put(b.getHash(), new ArrayList<>(b.getLogs()));
      } else {
        wanted.put(b.getHash(), b.getLogCount());
        found.put(b.getHash(), new ArrayList<>());
        from = Math.min(from, b.getFirstOffset());
      }
    }
    if (!wanted.isEmpty()) {
      read(from, wanted, found);
    }
    return found;
  }

  private void read(long from, Map<String, Integer> wanted, Map<String, List<RawChainLog>> found) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    TopicPartition partition = new TopicPartition(topic, 0);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seek(partition, from);
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      long deadline = System.currentTimeMillis() + TIMEOUT_MS;
      while (!wanted.isEmpty() && consumer.position(partition) < end) {
        if (System.currentTimeMillis() > deadline) {
          break;
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          RawChainLog log = serde.decode(r.value());
          String hash = log.getPosition().getBlockHash();
          Integer left = wanted.get(hash);
          if (left == null || log.getRemoved() || log.getKind() == RawRecordKind.SEAL) {
            continue; // another block, a retraction, or a seal
          }
          found.get(hash).add(log);
          if (left == 1) {
            wanted.remove(hash);
          } else {
            wanted.put(hash, left - 1);
          }
        }
      }
    }
    if (!wanted.isEmpty()) {
      // Retracting fewer logs than were written would leave events of a dropped block counted:
      // stop instead, the restart reads again.
      throw new IllegalStateException(
          "the raw topic "
              + topic
              + " no longer holds every log of the dropped blocks "
              + wanted.keySet()
              + " from offset "
              + from
              + "; cannot retract them");
    }
  }
}
