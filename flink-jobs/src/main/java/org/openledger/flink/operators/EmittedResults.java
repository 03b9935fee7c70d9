package org.openledger.flink.operators;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.openledger.flink.attribution.Attribution;

/**
 * Results kept so that a reorg can retract them, for the retract window behind the highest sealed
 * block. Expired results are swept from state once per window of sealed blocks, not on every seal
 * (which scanned every kept result per block); in between, a result older than the window is
 * treated as gone, so what can be retracted is the same as with a sweep per seal.
 */
final class EmittedResults {

  private final long windowBlocks;
  private final MapState<Long, Attribution> emitted;
  private final ValueState<Long> highestSeal;
  private final ValueState<Long> sweptAt;

  EmittedResults(RuntimeContext runtime, long windowBlocks) {
    this.windowBlocks = windowBlocks;
    emitted =
        runtime.getMapState(new MapStateDescriptor<>("emitted", Long.class, Attribution.class));
    highestSeal = runtime.getState(new ValueStateDescriptor<>("emitted-highest-seal", Long.class));
    sweptAt = runtime.getState(new ValueStateDescriptor<>("emitted-swept-at", Long.class));
  }

  /**
   * Keeps {@code a} unless the last sweep would have removed it, so the kept set depends only on
   * the results and the seals, not on when the results were emitted.
   */
  void put(Attribution a) throws Exception {
    Long swept = sweptAt.value();
    if (swept == null || a.block() >= swept - windowBlocks) {
      emitted.put(a.inferenceId(), a);
    }
  }

  /** The kept result of {@code inferenceId} in block {@code blockHash}, if it may be retracted. */
  Attribution retractable(long inferenceId, String blockHash) throws Exception {
    Attribution done = emitted.get(inferenceId);
    Long highest = highestSeal.value();
    if (done == null || !done.blockHash().equals(blockHash)) {
      return null;
    }
    return highest != null && done.block() < highest - windowBlocks ? null : done;
  }

  void remove(long inferenceId) throws Exception {
    emitted.remove(inferenceId);
  }

  /** Every event up to {@code block} is applied: sweep results older than the window when due. */
  void sealed(long block) throws Exception {
    Long before = highestSeal.value();
    long highest = before == null ? block : Math.max(before, block);
    highestSeal.update(highest);
    Long swept = sweptAt.value();
    if (swept != null && highest - swept < windowBlocks) {
      return;
    }
    List<Long> old = new ArrayList<>();
    for (Map.Entry<Long, Attribution> e : emitted.entries()) {
      if (e.getValue().block() < highest - windowBlocks) {
        old.add(e.getKey());
      }
    }
    for (Long id : old) {
      emitted.remove(id); // older than any reorg the follower can report
    }
    sweptAt.update(highest);
  }
}
