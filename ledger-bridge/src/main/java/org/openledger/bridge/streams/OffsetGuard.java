package org.openledger.bridge.streams;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skips a record its processor has already processed, by the record's source offset. Streams
 * resumes from the offsets it committed to the group coordinator; a broker that loses them (one did
 * after its log directory filled up, in the soak) sends the app back to the earliest offset, and
 * without this guard every event would be decoded, and every balance credited, a second time.
 *
 * <p>The last processed offset of each input partition lives in the processor's own state store,
 * written in the same exactly-once transaction as the processor's outputs (its changelog is part of
 * that transaction), so it is exactly the position of what downstream has seen. A store with
 * caching writes its changelog once per commit, not once per record.
 *
 * <p>Deleting and re-creating an input topic restarts its offsets at 0: the app's internal topics
 * (this store's changelog among them) and state must go with it, as {@code bin/openledger rebuild}
 * and Kafka's streams application reset tool both do.
 */
final class OffsetGuard {

  private static final Logger LOG = LoggerFactory.getLogger(OffsetGuard.class);

  private final KeyValueStore<String, Long> processed;
  private final Set<String> rewound = new HashSet<>();

  OffsetGuard(KeyValueStore<String, Long> processed) {
    this.processed = processed;
  }

  /** The store the guard keeps its offsets in: one entry per input partition, cached. */
  static StoreBuilder<KeyValueStore<String, Long>> store(String name) {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.Long())
        .withCachingEnabled();
  }

  /**
   * True the first time a record at this source position comes (and records it as processed); false
   * for a record at or below the last processed offset of its partition: a redelivery. A record
   * without a source (a punctuation's) is always admitted.
   */
  boolean admit(Optional<RecordMetadata> source) {
    if (source.isEmpty() || source.get().topic() == null) {
      return true;
    }
    RecordMetadata m = source.get();
    String partition = m.topic() + "-" + m.partition();
    Long last = processed.get(partition);
    if (last != null && m.offset() <= last) {
      if (rewound.add(partition)) {
        LOG.warn(
            "{} went back to offset {} but offsets up to {} are already processed: skipping them"
                + " (the group's committed offsets were lost or reset)",
            partition,
            m.offset(),
            last);
      }
      return false;
    }
    if (rewound.remove(partition)) {
      LOG.info("{} is past its already processed offsets again at {}", partition, m.offset());
    }
    processed.put(partition, m.offset());
    return true;
  }
}
