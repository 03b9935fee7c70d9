package org.openledger.schemas;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How long a topic keeps its records. Kafka's default (7 days) would silently cut the event store:
 * after a week offset 0 of {@code chain.raw-logs} is no longer block 0 and old payout leaves are
 * gone. So every topic the money depends on is kept forever, the cursor is compacted (only its last
 * record per key matters), and only topics nothing is rebuilt from may expire. docs/EVENTS.md has
 * the table.
 */
public enum Retention {
  /** The event store, and every topic a payment, a proof or a replay reads: never deleted. */
  FOREVER(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1")),
  /** Keyed state whose last record per key is the truth (the follower's cursor): compacted. */
  COMPACTED(
      Map.of(
          TopicConfig.CLEANUP_POLICY_CONFIG,
          TopicConfig.CLEANUP_POLICY_COMPACT,
          TopicConfig.RETENTION_MS_CONFIG,
          "-1",
          TopicConfig.RETENTION_BYTES_CONFIG,
          "-1")),
  /** Nothing is rebuilt from it (the stack check's relay): a week, Kafka's own default. */
  EXPIRING(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(7L * 24 * 3600 * 1000)));

  /** Topics, by their name without a prefix, that are neither the default nor forever. */
  private static final Map<String, Retention> EXCEPTIONS =
      Map.of(
          Topics.FOLLOWER_CURSOR.name(),
          COMPACTED,
          "openledger.stack-check",
          EXPIRING,
          "openledger.stack-check.relayed",
          EXPIRING);

  private final Map<String, String> configs;

  Retention(Map<String, String> configs) {
    this.configs = configs;
  }

  /** The topic-level configs that give a topic this retention. */
  public Map<String, String> configs() {
    return new LinkedHashMap<>(configs);
  }

  /**
   * The retention of a topic by its full name, prefix included ({@code <prefix>chain.events}).
   * Unknown topics are kept forever: forgetting to declare one can cost disk, never money.
   */
  public static Retention of(String topicName) {
    for (Map.Entry<String, Retention> e : EXCEPTIONS.entrySet()) {
      if (topicName.endsWith(e.getKey())) {
        return e.getValue();
      }
    }
    return FOREVER;
  }
}
