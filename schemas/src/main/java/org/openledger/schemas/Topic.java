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

  /** The same topic under another name (tests and side-by-side deployments use their own). */
  public Topic withName(String otherName) {
    return new Topic(otherName, key, partitions, valueSchema);
  }

  /** The registry subject of the topic's values (Confluent's TopicNameStrategy). */
  public String valueSubject() {
    return name + "-value";
  }
}
