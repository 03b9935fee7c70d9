package org.openledger.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicBootstrapTest {

  @Test
  void shouldStampRecordsWithTheBrokersAppendTimeWhenTheTopicSaysNothing() {
    NewTopic t =
        TopicBootstrap.withAppendTime(
            new NewTopic("t", 3, (short) 1).configs(Map.of("cleanup.policy", "compact")));

    assertThat(t.name()).isEqualTo("t");
    assertThat(t.numPartitions()).isEqualTo(3);
    assertThat(t.configs())
        .containsEntry("cleanup.policy", "compact")
        .containsEntry("message.timestamp.type", "LogAppendTime");
  }

  @Test
  void shouldLeaveTheReplicationFactorToTheBrokerWhenTheCallerNamesOne() {
    NewTopic t = TopicBootstrap.withAppendTime(new NewTopic("t", 3, (short) 1));

    assertThat(t.numPartitions()).isEqualTo(3);
    // -1: absent from the request, so the broker applies its default.replication.factor.
    assertThat(t.replicationFactor()).isEqualTo((short) -1);
    assertThat(t.replicasAssignments()).isNull();
  }

  @Test
  void shouldKeepExplicitReplicaAssignmentsWhenTheTopicHasThem() {
    Map<Integer, List<Integer>> assignments = Map.of(0, List.of(1, 2, 3), 1, List.of(2, 3, 1));

    NewTopic t = TopicBootstrap.withAppendTime(new NewTopic("t", assignments));

    assertThat(t.replicasAssignments()).isEqualTo(assignments);
    assertThat(t.configs()).containsEntry("message.timestamp.type", "LogAppendTime");
  }

  @Test
  void shouldKeepATimestampTypeTheTopicAsksFor() {
    NewTopic t =
        TopicBootstrap.withAppendTime(
            new NewTopic("t", 1, (short) 1)
                .configs(Map.of("message.timestamp.type", "CreateTime")));

    assertThat(t.configs()).containsEntry("message.timestamp.type", "CreateTime");
  }

  @Test
  void shouldKeepEveryTopicTheMoneyDependsOnForeverWhenCreatingIt() {
    for (Topic topic : Topics.ALL) {
      if (topic == Topics.FOLLOWER_CURSOR) {
        continue;
      }
      NewTopic t =
          TopicBootstrap.withAppendTime(new NewTopic("it-x." + topic.name(), 1, (short) 1));

      assertThat(t.configs())
          .as(topic.name())
          .containsEntry("retention.ms", "-1")
          .containsEntry("retention.bytes", "-1");
    }
  }

  @Test
  void shouldCompactTheCursorAndLetOnlyTheStackCheckExpire() {
    assertThat(
            TopicBootstrap.withAppendTime(new NewTopic("bridge.follower-cursor", 1, (short) 1))
                .configs())
        .containsEntry("cleanup.policy", "compact");
    assertThat(Retention.of("openledger.stack-check.relayed")).isEqualTo(Retention.EXPIRING);
    assertThat(Retention.of("some.topic.nobody.declared")).isEqualTo(Retention.FOREVER);
  }

  @Test
  void shouldKeepARetentionTheTopicAsksFor() {
    NewTopic t =
        TopicBootstrap.withAppendTime(
            new NewTopic("chain.raw-logs", 1, (short) 1).configs(Map.of("retention.ms", "5")));

    assertThat(t.configs()).containsEntry("retention.ms", "5");
  }

  @Test
  void shouldUpgradeOnlyWhatTheTopicDoesNotSetItself() {
    Config inherited =
        new Config(
            List.of(
                entry("retention.ms", "604800000", ConfigEntry.ConfigSource.DEFAULT_CONFIG),
                entry("retention.bytes", "7", ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)));

    List<AlterConfigOp> ops = RetentionUpgrade.ops(Retention.FOREVER, inherited);

    assertThat(ops).hasSize(1);
    assertThat(ops.get(0).configEntry().name()).isEqualTo("retention.ms");
    assertThat(ops.get(0).configEntry().value()).isEqualTo("-1");
  }

  private static ConfigEntry entry(String name, String value, ConfigEntry.ConfigSource source) {
    return new ConfigEntry(name, value, source, false, false, List.of(), null, null);
  }
}
