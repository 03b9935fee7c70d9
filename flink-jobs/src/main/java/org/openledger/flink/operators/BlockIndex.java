package org.openledger.flink.operators;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Inference event ids (block hash + log index) by block, kept in the ledger's state beside its
 * maps, so finding the earliest open block or the inferences of a closing window never scans every
 * pending fee (which made a backlog quadratic).
 */
final class BlockIndex implements Serializable {

  private static final long serialVersionUID = 2L;

  private final TreeMap<Long, TreeSet<String>> ids = new TreeMap<>();

  /** A deep copy: the heap state backend copies a value on write after a checkpoint. */
  BlockIndex copy() {
    BlockIndex c = new BlockIndex();
    ids.forEach((block, at) -> c.ids.put(block, new TreeSet<>(at)));
    return c;
  }

  /** The blocks in order, each with its ids in order. */
  Map<Long, TreeSet<String>> byBlock() {
    return ids;
  }

  void addAll(long block, List<String> sorted) {
    ids.computeIfAbsent(block, b -> new TreeSet<>()).addAll(sorted);
  }

  void add(long block, String id) {
    ids.computeIfAbsent(block, b -> new TreeSet<>()).add(id);
  }

  void remove(long block, String id) {
    TreeSet<String> at = ids.get(block);
    if (at != null && at.remove(id) && at.isEmpty()) {
      ids.remove(block);
    }
  }

  Optional<Long> first() {
    return ids.isEmpty() ? Optional.empty() : Optional.of(ids.firstKey());
  }

  /** Removes and returns the ids at blocks up to {@code block}, in (block, id) order. */
  List<String> takeUpTo(long block) {
    List<String> out = new ArrayList<>();
    Map<Long, TreeSet<String>> head = ids.headMap(block, true);
    head.values().forEach(out::addAll);
    head.clear();
    return out;
  }
}
