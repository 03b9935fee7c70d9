package org.openledger.schemas;

import java.nio.ByteBuffer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.openledger.pipeline.DeadLetter;

/**
 * Builds the dead letter of a Kafka record a stage gave up on: the record's bytes as they were,
 * where it came from (topic, partition, offset: its identity in pipeline.dead-letters) and why.
 */
public final class DeadLetters {

  private DeadLetters() {}

  public static DeadLetter of(String stage, ConsumerRecord<byte[], byte[]> r, String reason) {
    return DeadLetter.newBuilder()
        .setStage(stage)
        .setReason(reason)
        .setSourceTopic(r.topic())
        .setSourcePartition(r.partition())
        .setSourceOffset(r.offset())
        .setKey(r.key() == null ? null : ByteBuffer.wrap(r.key()))
        .setValue(r.value() == null ? null : ByteBuffer.wrap(r.value()))
        .build();
  }
}
