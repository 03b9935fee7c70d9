package org.openledger.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.openledger.testing.LocalStack;

/**
 * On the real broker: topics are created with their retention, old ones are upgraded, and a derived
 * topic's records expire while every topic the money depends on keeps its oldest.
 */
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

  @Test
  void shouldKeepEveryRecordTheMoneyDependsOnWhenADerivedTopicExpires() throws Exception {
    String prefix = LocalStack.unique("expiry") + ".";
    String derived = prefix + "openledger.stack-check.relayed";
    List<String> kept = Topics.ALL.stream().map(t -> prefix + t.name()).toList();
    List<String> every = new ArrayList<>(kept);
    every.add(derived);
    TopicBootstrap.ensure(
        LocalStack.kafkaBootstrap(),
        every.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList());
    Map<String, Object> clients =
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    try (Admin admin = Admin.create(clients);
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(clients, new ByteArraySerializer(), new ByteArraySerializer())) {
      // An operator cuts the derived topic's retention to a second to save disk.
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, derived);
      admin
          .incrementalAlterConfigs(
              Map.of(
                  resource,
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET))))
          .all()
          .get(30, TimeUnit.SECONDS);

      // A year of history: every topic gets a record stamped a year ago, then one stamped now.
      // The second rolls the segment (its first record is older than segment.ms, a week), so the
      // year-old record sits in a closed segment that the broker's next retention check deletes
      // wherever the topic's retention is shorter than a year. Distinct keys: compaction of the
      // cursor topic must not be what removes it.
      long now = System.currentTimeMillis();
      long yearAgo = now - 365L * 24 * 3600 * 1000;
      for (String topic : every) {
        producer.send(new ProducerRecord<>(topic, 0, yearAgo, bytes("old"), bytes("a year ago")));
        producer.send(new ProducerRecord<>(topic, 0, now, bytes("new"), bytes("now")));
      }
      producer.flush();

      long deadline = System.nanoTime() + 90_000_000_000L;
      while (earliest(admin, derived) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(500);
      }
      // At least the year-old record is gone (at a second's retention the new one may follow).
      assertThat(earliest(admin, derived))
          .as("the derived topic's year-old record expired")
          .isGreaterThanOrEqualTo(1);
      for (String topic : kept) {
        assertThat(earliest(admin, topic)).as("%s still starts at offset 0", topic).isZero();
      }
    }
  }

  private static long earliest(Admin admin, String topic) throws Exception {
    TopicPartition p = new TopicPartition(topic, 0);
    return admin
        .listOffsets(Map.of(p, OffsetSpec.earliest()))
        .all()
        .get(30, TimeUnit.SECONDS)
        .get(p)
        .offset();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
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
