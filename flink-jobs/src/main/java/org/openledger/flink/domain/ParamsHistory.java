package org.openledger.flink.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every params version the log has set, so the version in force at any block can be found: an
 * inference at block B uses the last version set at a block up to B. A reorg removes a version by
 * the id of the event that set it. Each job keeps the fields it needs ({@link Params}, {@link
 * PaymentParams}).
 */
public record ParamsHistory<P extends ParamsHistory.Versioned>(List<P> versions) {

  /** A params version as the log set it: from which block, by which event. */
  public interface Versioned {
    long effectiveBlock();

    /** {@code <blockHash>:<logIndex>} of the ParamsChanged event. */
    String eventId();
  }

  public ParamsHistory {
    versions =
        versions.stream()
            .sorted(
                Comparator.<P>comparingLong(Versioned::effectiveBlock)
                    .thenComparingLong(ParamsHistory::logIndex)
                    .thenComparing(Versioned::eventId))
            .toList();
  }

  /**
   * The log index in an event id {@code <blockHash>:<logIndex>}: two versions set in one block
   * apply in log order, compared as numbers (":10" after ":9").
   */
  static long logIndex(Versioned p) {
    String id = p.eventId();
    try {
      return Long.parseLong(id.substring(id.lastIndexOf(':') + 1));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  public static <P extends Versioned> ParamsHistory<P> empty() {
    return new ParamsHistory<>(List.of());
  }

  public ParamsHistory<P> with(P params) {
    List<P> next = new ArrayList<>(without(params.eventId()).versions);
    next.add(params);
    return new ParamsHistory<>(next);
  }

  public ParamsHistory<P> without(String eventId) {
    return new ParamsHistory<>(
        versions.stream().filter(p -> !p.eventId().equals(eventId)).toList());
  }

  /** The first block after {@code block} at which another version takes over, if one is known. */
  public Optional<Long> nextChangeAfter(long block) {
    return versions.stream()
        .mapToLong(Versioned::effectiveBlock)
        .filter(b -> b > block)
        .boxed()
        .findFirst();
  }

  /** The params in force at {@code block}: the last set at or before it. */
  public Optional<P> at(long block) {
    P found = null;
    for (P p : versions) {
      if (p.effectiveBlock() <= block) {
        found = p;
      }
    }
    return Optional.ofNullable(found);
  }
}
