package org.openledger.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.openledger.testing.LocalStack;

/** On the real broker: topics are created with their retention, and old ones are upgraded. */
class TopicBootstrapIT {

  @Test
  void shouldCreateTheEventStoreForeverAndUpgradeATopicLeftWithTheBrokersDefault()
      throws Exception {
    String prefix = LocalStack.unique("retention") + ".";
    String raw = prefix + Topics.RAW_LOGS.name();
    String leaves = prefix + Topics.PAYOUT_BATCH_LEAVES.name();
    String cursor = prefix + Topics.FOLLOWER_CURSOR.name();
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap()))) {
      // An older version created the leaves with the broker's default retention.
      admin
          .createTopics(List.of(new NewTopic(leaves, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      assertThat(config(admin, leaves).get("retention.ms").value()).isNotEqualTo("-1");

      TopicBootstrap.ensure(
          LocalStack.kafkaBootstrap(),
          List.of(
              new NewTopic(raw, 1, (short) 1),
              new NewTopic(leaves, 1, (short) 1),
              new NewTopic(cursor, 1, (short) 1)));

      assertThat(config(admin, raw).get("retention.ms").value()).isEqualTo("-1");
      assertThat(config(admin, raw).get("retention.bytes").value()).isEqualTo("-1");
      assertThat(config(admin, leaves).get("retention.ms").value()).isEqualTo("-1");
      assertThat(config(admin, cursor).get("cleanup.policy").value()).isEqualTo("compact");
      // Asked for 1 replica, created with the broker's default (1 here, 3 on the cluster).
      assertThat(replicas(admin, raw)).isEqualTo(defaultReplicationFactor(admin));
    }
  }

  private static int replicas(Admin admin, String topic) throws Exception {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(30, TimeUnit.SECONDS)
        .get(topic)
        .partitions()
        .get(0)
        .replicas()
        .size();
  }

  private static int defaultReplicationFactor(Admin admin) throws Exception {
    String broker =
        admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next().idString();
    ConfigResource r = new ConfigResource(ConfigResource.Type.BROKER, broker);
    return Integer.parseInt(
        admin
            .describeConfigs(List.of(r))
            .all()
            .get(30, TimeUnit.SECONDS)
            .get(r)
            .get("default.replication.factor")
            .value());
  }

  private static Config config(Admin admin, String topic) throws Exception {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
  }
}
