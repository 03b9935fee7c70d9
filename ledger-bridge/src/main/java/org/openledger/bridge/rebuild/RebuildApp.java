package org.openledger.bridge.rebuild;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.TopicPartition;
import org.openledger.bridge.domain.rebuild.RebuildPlan;
import org.openledger.bridge.follow.FollowerConfig;
import org.openledger.bridge.streams.DecoderApp;
import org.openledger.config.ConfigSource;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;

/**
 * Deletes the pipeline's topics, the decoder's own topics and every consumer group that read them,
 * so that the apps, started again, rebuild every topic from the chain (docs/EVENTS.md, "Rebuilding
 * the topics from the chain"). It touches only Kafka: the chain, ClickHouse and the settlement
 * writer's progress record stay. {@code bin/openledger rebuild} stops the apps, runs it, clears the
 * decoder's state and the jobs' checkpoints, and starts them again.
 */
public final class RebuildApp {

  private static final long TIMEOUT_S = 60;

  private RebuildApp() {}

  public static void main(String[] args) throws Exception {
    ConfigSource config = ConfigSource.of(System.getenv(), Optional.empty());
    config.validate(List.of(FollowerConfig.KAFKA, FollowerConfig.PREFIX));
    String prefix = config.get(FollowerConfig.PREFIX);
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(FollowerConfig.KAFKA)))) {
      // A member of a process that was killed (not stopped) stays in its group until its session
      // times out (45 s by default): wait that long for the groups to empty before refusing.
      RebuildPlan plan = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2 * TIMEOUT_S);
      while (plan == null) {
        try {
          plan = plan(admin, prefix);
        } catch (RebuildPlan.Refused e) {
          if (System.nanoTime() > deadline) {
            System.err.println("rebuild refused: " + e.getMessage());
            System.exit(2);
            return;
          }
          Thread.sleep(2_000);
        }
      }
      if (plan.isEmpty()) {
        System.out.println("rebuild: the broker holds none of the pipeline's topics or groups");
        return;
      }
      // Groups first: a group's offsets would otherwise outlive its topics on brokers that keep
      // them, and a restarted app would resume mid-way into the rebuilt topic.
      if (!plan.groups().isEmpty()) {
        admin.deleteConsumerGroups(plan.groups()).all().get(TIMEOUT_S, TimeUnit.SECONDS);
      }
      admin.deleteTopics(plan.topics()).all().get(TIMEOUT_S, TimeUnit.SECONDS);
      awaitGone(admin, plan);
      System.out.println("rebuild: deleted " + plan.describe());
      System.out.println("  topics: " + String.join(", ", plan.topics()));
      System.out.println("  groups: " + String.join(", ", plan.groups()));
    }
  }

  /** Reads the broker's topics and consumer groups (members and committed offsets) and plans. */
  static RebuildPlan plan(Admin admin, String prefix) throws Exception {
    Set<String> existing = topics(admin);
    List<String> ids = new ArrayList<>();
    for (GroupListing g :
        admin
            .listGroups(ListGroupsOptions.forConsumerGroups())
            .all()
            .get(TIMEOUT_S, TimeUnit.SECONDS)) {
      ids.add(g.groupId());
    }
    Map<String, ConsumerGroupDescription> described =
        ids.isEmpty()
            ? Map.of()
            : admin.describeConsumerGroups(ids).all().get(TIMEOUT_S, TimeUnit.SECONDS);
    List<RebuildPlan.Group> groups = new ArrayList<>();
    for (String id : ids) {
      Set<String> read = new HashSet<>();
      Map<TopicPartition, ?> offsets =
          admin
              .listConsumerGroupOffsets(id)
              .partitionsToOffsetAndMetadata()
              .get(TIMEOUT_S, TimeUnit.SECONDS);
      offsets.keySet().forEach(tp -> read.add(tp.topic()));
      ConsumerGroupDescription d = described.get(id);
      groups.add(new RebuildPlan.Group(id, d != null && !d.members().isEmpty(), read));
    }
    return RebuildPlan.of(
        existing,
        groups,
        prefix,
        Topics.ALL.stream().map(Topic::name).toList(),
        prefix + DecoderApp.APPLICATION_ID);
  }

  private static Set<String> topics(Admin admin) throws Exception {
    return admin
        .listTopics(new ListTopicsOptions().listInternal(false))
        .names()
        .get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  /** Topic deletion completes after the call returns: wait until the broker lists none of them. */
  private static void awaitGone(Admin admin, RebuildPlan plan) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
    List<String> left = plan.remaining(topics(admin));
    while (!left.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topics still listed after deletion: " + left);
      }
      Thread.sleep(250);
      left = plan.remaining(topics(admin));
    }
  }
}
