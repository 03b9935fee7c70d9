package org.openledger.schemas;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * An immutable description of one Kafka topic of the pipeline: its name, key, partition count and
 * value schema, registered under {@code <name>-value}. {@code docs/EVENTS.md} lists the same.
 */
public record Topic(String name, String key, int partitions, Schema valueSchema) {

  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(valueSchema, "valueSchema");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be positive: " + partitions);
    }
  }

  /** The registry subject of the topic's values (Confluent's TopicNameStrategy). */
  public String valueSubject() {
    return name + "-value";
  }
}
