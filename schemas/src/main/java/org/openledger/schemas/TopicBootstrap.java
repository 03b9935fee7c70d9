package org.openledger.schemas;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics an app reads and writes before it starts, so a fresh stack does not send a job
 * or a Streams app into a restart loop on a missing topic. Topics that exist are left as they are;
 * a topic named twice is created once, and one another process creates at the same time is fine.
 * Topics it creates stamp each record with the broker's append time (LogAppendTime), so a record's
 * timestamp says when it became visible downstream, the same on every re-read: the analytics loader
 * measures latencies (inference block to attribution result, to accrual) from it. Every topic also
 * gets its {@link Retention} (forever unless declared otherwise), on creation and, for a topic an
 * older version created with the broker's default, on the next start.
 *
 * <p>The replication factor is the cluster's choice, not the caller's: a topic is created with the
 * broker's {@code default.replication.factor} whatever the {@link NewTopic} says (1 on the single
 * embedded broker, 3 on the production cluster), so the same code makes a topic that survives a
 * broker loss where there are brokers to lose. Explicit replica assignments are kept as given.
 */
public final class TopicBootstrap {

  private TopicBootstrap() {}

  /**
   * The topic with {@code message.timestamp.type=LogAppendTime} unless it says otherwise, its
   * retention, and the broker's default replication factor (unless it assigns replicas itself).
   */
  static NewTopic withAppendTime(NewTopic t) {
    Map<String, String> configs = new LinkedHashMap<>();
    if (t.configs() != null) {
      configs.putAll(t.configs());
    }
    configs.putIfAbsent(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
    Retention.of(t.name()).configs().forEach(configs::putIfAbsent);
    NewTopic copy =
        t.replicasAssignments() != null
            ? new NewTopic(t.name(), t.replicasAssignments())
            : new NewTopic(t.name(), partitions(t), Optional.empty());
    return copy.configs(configs);
  }

  /** The partitions the topic asks for, or the broker's default where it asks for none. */
  private static Optional<Integer> partitions(NewTopic t) {
    return t.numPartitions() > 0 ? Optional.of(t.numPartitions()) : Optional.empty();
  }

  /**
   * Creates those of {@code topics} that do not exist yet (with the broker's default replication
   * factor, see above) and upgrades the retention of those that do.
   */
  public static void ensure(String bootstrap, List<NewTopic> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      Map<String, NewTopic> missing = new LinkedHashMap<>();
      Set<String> present = new java.util.LinkedHashSet<>();
      for (NewTopic t : topics) {
        if (!existing.contains(t.name())) {
          missing.putIfAbsent(t.name(), withAppendTime(t));
        } else {
          present.add(t.name());
        }
      }
      RetentionUpgrade.apply(admin, present);
      if (!missing.isEmpty()) {
        for (var created : admin.createTopics(missing.values()).values().values()) {
          try {
            created.get(30, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            // Another process (the follower and the decoder start together) created it between
            // our listing and our request: it exists, which is all this asks.
            if (!(e.getCause() instanceof TopicExistsException)) {
              throw e;
            }
          }
        }
      }
    }
  }
}
