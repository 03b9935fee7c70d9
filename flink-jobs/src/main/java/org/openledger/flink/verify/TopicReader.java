package org.openledger.flink.verify;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.openledger.schemas.Topic;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;

/**
 * Reads a whole topic as it stands, committed records only (read_committed stops at the last stable
 * offset), decoded into its generated class: what the verifiers compare the chain with. A read that
 * makes no progress for {@link #STALL} (the broker gone) fails instead of hanging.
 */
final class TopicReader {

  static final Duration STALL = Duration.ofSeconds(60);

  private TopicReader() {}

  static <T extends SpecificRecord> List<T> all(
      String bootstrap, URI registry, Topic topic, Class<T> type) {
    List<T> out = new ArrayList<>();
    forEach(bootstrap, registry, topic, type, out::add);
    return out;
  }

  /**
   * Hands each committed record, decoded, to {@code each} in offset order, holding none: for topics
   * too large to keep in memory (an hour at load is millions of accruals).
   */
  static <T extends SpecificRecord> void forEach(
      String bootstrap, URI registry, Topic topic, Class<T> type, Consumer<T> each) {
    var serde = new ConfluentAvroSerde<>(topic, new SchemaRegistryClient(registry), type);
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          consumer.partitionsFor(topic.name()).stream()
              .map(i -> new TopicPartition(topic.name(), i.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, STALL);
      long left = -1;
      long lastProgress = System.nanoTime();
      while (true) {
        long behind = 0;
        for (TopicPartition tp : parts) {
          behind += Math.max(0, end.get(tp) - consumer.position(tp, STALL));
        }
        if (behind == 0) {
          break;
        }
        if (behind != left) {
          left = behind;
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
          throw new IllegalStateException(
              topic.name()
                  + ": no progress for "
                  + STALL.toSeconds()
                  + " s with "
                  + behind
                  + " offsets still to read (is the broker up?)");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          each.accept(serde.decode(r.value()));
        }
      }
    }
  }
}
