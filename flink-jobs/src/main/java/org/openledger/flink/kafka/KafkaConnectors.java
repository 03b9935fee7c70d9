package org.openledger.flink.kafka;

import java.util.Properties;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

/**
 * The pipeline's Kafka sources and sinks, configured the one way that keeps exactly-once: sources
 * read committed records only, sinks write in transactions committed on checkpoints.
 */
public final class KafkaConnectors {

  private KafkaConnectors() {}

  /** Reads committed records of {@code topic}; a fresh group starts at the earliest offset. */
  public static KafkaSource<String> stringSource(String bootstrap, String topic, String groupId) {
    return KafkaSource.<String>builder()
        .setBootstrapServers(bootstrap)
        .setTopics(topic)
        .setGroupId(groupId)
        .setStartingOffsets(
            OffsetsInitializer.committedOffsets(
                org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST))
        .setValueOnlyDeserializer(new SimpleStringSchema())
        .setProperty("isolation.level", "read_committed")
        .build();
  }

  /**
   * Writes to {@code topic} in Kafka transactions committed when a checkpoint completes. The
   * transaction timeout must be set: the client default exceeds the broker's maximum and the job
   * would restart forever without delivering anything.
   */
  public static KafkaSink<String> exactlyOnceStringSink(
      String bootstrap, String topic, String transactionalIdPrefix, long transactionTimeoutMs) {
    Properties producer = new Properties();
    producer.setProperty("transaction.timeout.ms", Long.toString(transactionTimeoutMs));
    return KafkaSink.<String>builder()
        .setBootstrapServers(bootstrap)
        .setKafkaProducerConfig(producer)
        .setRecordSerializer(
            KafkaRecordSerializationSchema.builder()
                .setTopic(topic)
                .setValueSerializationSchema(new SimpleStringSchema())
                .build())
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .build();
  }
}
