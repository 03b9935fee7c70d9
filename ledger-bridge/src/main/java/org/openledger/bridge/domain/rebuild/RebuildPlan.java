package org.openledger.bridge.domain.rebuild;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a rebuild of the topics from the chain deletes: every topic of the pipeline (the raw log and
 * follower cursor too, so the follower starts again at the deployment's block) and the decoder's
 * own Kafka Streams topics, plus every consumer group that had read one of them, so each app reads
 * the rebuilt topics from offset 0. Nothing else on the broker is touched, and a group with live
 * members stops the plan: a rebuild under running apps would mix old and new offsets.
 */
public record RebuildPlan(List<String> topics, List<String> groups) {

  /** One consumer group as the broker describes it. */
  public record Group(String id, boolean hasMembers, Set<String> topicsWithOffsets) {}

  /** Why a rebuild must not start now. */
  public static final class Refused extends IllegalStateException {
    public Refused(String message) {
      super(message);
    }
  }

  public RebuildPlan {
    topics = List.copyOf(topics);
    groups = List.copyOf(groups);
  }

  /**
   * Plans the rebuild of the topics named {@code prefix + name} for each of {@code pipelineTopics},
   * given what the broker holds now.
   *
   * @param existing every topic on the broker
   * @param groups every consumer group on the broker
   * @param prefix the deployment's topic prefix ("" in the demo)
   * @param pipelineTopics the pipeline's topic names without prefix (Topics.ALL)
   * @param decoderApplicationId the decoder's Kafka Streams application id (prefix included): its
   *     internal topics are named after it
   * @throws Refused when a group that reads a doomed topic still has members
   */
  public static RebuildPlan of(
      Collection<String> existing,
      Collection<Group> groups,
      String prefix,
      Collection<String> pipelineTopics,
      String decoderApplicationId) {
    Set<String> ours = new TreeSet<>();
    pipelineTopics.forEach(t -> ours.add(prefix + t));
    Set<String> doomed = new TreeSet<>();
    for (String topic : existing) {
      if (ours.contains(topic) || topic.startsWith(decoderApplicationId + "-")) {
        doomed.add(topic);
      }
    }
    Set<String> groupsToDelete = new TreeSet<>();
    List<String> busy = new ArrayList<>();
    for (Group g : groups) {
      boolean reads =
          g.id().equals(decoderApplicationId)
              || g.topicsWithOffsets().stream().anyMatch(doomed::contains);
      if (!reads) {
        continue;
      }
      if (g.hasMembers()) {
        busy.add(g.id());
      }
      groupsToDelete.add(g.id());
    }
    if (!busy.isEmpty()) {
      throw new Refused(
          "consumer groups still have members: "
              + busy
              + "; stop the bridge apps and the Flink jobs first (bin/openledger rebuild does)");
    }
    return new RebuildPlan(List.copyOf(doomed), List.copyOf(groupsToDelete));
  }

  /** A one-line summary for the log. */
  public String describe() {
    return topics.size() + " topics and " + groups.size() + " consumer groups";
  }

  /** The topics of {@code existing} still there from this plan (deletion is asynchronous). */
  public List<String> remaining(Collection<String> existing) {
    return topics.stream().filter(existing::contains).toList();
  }

  /** True if a plan found nothing to delete (a fresh broker, or a second run). */
  public boolean isEmpty() {
    return topics.isEmpty() && groups.isEmpty();
  }
}
