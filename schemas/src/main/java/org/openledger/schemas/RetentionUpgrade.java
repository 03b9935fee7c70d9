package org.openledger.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Gives topics that exist their {@link Retention} where nobody set it on the topic: a topic an
 * older version created inherited the broker's default (7 days), which would cut the event store. A
 * value an operator set on the topic itself is left alone.
 */
final class RetentionUpgrade {

  private RetentionUpgrade() {}

  static void apply(Admin admin, Collection<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (topics.isEmpty()) {
      return;
    }
    List<ConfigResource> resources = new ArrayList<>();
    for (String t : topics) {
      resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t));
    }
    Map<ConfigResource, Config> current =
        admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
    Map<ConfigResource, Collection<AlterConfigOp>> changes = new LinkedHashMap<>();
    for (Map.Entry<ConfigResource, Config> e : current.entrySet()) {
      List<AlterConfigOp> ops = ops(Retention.of(e.getKey().name()), e.getValue());
      if (!ops.isEmpty()) {
        changes.put(e.getKey(), ops);
      }
    }
    if (!changes.isEmpty()) {
      admin.incrementalAlterConfigs(changes).all().get(30, TimeUnit.SECONDS);
    }
  }

  /** The settings {@code wanted} needs that the topic does not set itself. */
  static List<AlterConfigOp> ops(Retention wanted, Config config) {
    List<AlterConfigOp> ops = new ArrayList<>();
    wanted
        .configs()
        .forEach(
            (key, value) -> {
              ConfigEntry entry = config.get(key);
              boolean setOnTopic =
                  entry != null && entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG;
              if (!setOnTopic) {
                ops.add(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET));
              }
            });
    return ops;
  }
}
