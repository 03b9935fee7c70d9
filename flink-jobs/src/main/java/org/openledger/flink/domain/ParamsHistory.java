package org.openledger.flink.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every params version the log has set, so the version in force at any block can be found: an
 * inference at block B uses the last version set at a block up to B. A reorg removes a version by
 * the id of the event that set it.
 */
public record ParamsHistory(List<Params> versions) {

  public ParamsHistory {
    versions =
        versions.stream()
            .sorted(
                Comparator.comparingLong(Params::effectiveBlock)
                    .thenComparingLong(ParamsHistory::logIndex)
                    .thenComparing(Params::eventId))
            .toList();
  }

  /**
   * The log index in an event id {@code <blockHash>:<logIndex>}: two versions set in one block
   * apply in log order, compared as numbers (":10" after ":9").
   */
  static long logIndex(Params p) {
    String id = p.eventId();
    try {
      return Long.parseLong(id.substring(id.lastIndexOf(':') + 1));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  public static ParamsHistory empty() {
    return new ParamsHistory(List.of());
  }

  public ParamsHistory with(Params params) {
    List<Params> next = new ArrayList<>(without(params.eventId()).versions);
    next.add(params);
    return new ParamsHistory(next);
  }

  public ParamsHistory without(String eventId) {
    return new ParamsHistory(versions.stream().filter(p -> !p.eventId().equals(eventId)).toList());
  }

  /** The params in force at {@code block}: the last set at or before it. */
  public Optional<Params> at(long block) {
    Params found = null;
    for (Params p : versions) {
      if (p.effectiveBlock() <= block) {
        found = p;
      }
    }
    return Optional.ofNullable(found);
  }
}
