package org.openledger.flink.operators;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Inference ids by block, kept in the ledger's state beside its maps, so finding the earliest open
 * block or the inferences of a closing window never scans every pending fee (which made a backlog
 * quadratic).
 */
final class BlockIndex implements Serializable {

  private static final long serialVersionUID = 1L;

  private final TreeMap<Long, TreeSet<Long>> ids = new TreeMap<>();

  void add(long block, long id) {
    ids.computeIfAbsent(block, b -> new TreeSet<>()).add(id);
  }

  void remove(long block, long id) {
    TreeSet<Long> at = ids.get(block);
    if (at != null && at.remove(id) && at.isEmpty()) {
      ids.remove(block);
    }
  }

  Optional<Long> first() {
    return ids.isEmpty() ? Optional.empty() : Optional.of(ids.firstKey());
  }

  /** Removes and returns the ids at blocks up to {@code block}, in (block, id) order. */
  List<Long> takeUpTo(long block) {
    List<Long> out = new ArrayList<>();
    Map<Long, TreeSet<Long>> head = ids.headMap(block, true);
    head.values().forEach(out::addAll);
    head.clear();
    return out;
  }
}
