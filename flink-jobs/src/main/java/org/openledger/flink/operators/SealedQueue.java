package org.openledger.flink.operators;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimerService;
import org.openledger.flink.AttributionJob;
import org.openledger.flink.attribution.ChainInput;

/**
 * Sealed inferences waiting to be scored, in keyed state, so that many blocks' inferences share one
 * sidecar call. Each seal's ready inferences are kept as one segment, in the order that seal would
 * have scored them; the queue is due when it holds enough inferences or when its processing-time
 * deadline passes, and an event-time timer at the end of time scores what is left when a bounded
 * input ends (pending processing-time timers never fire then). The queue and both timers are in the
 * checkpoint.
 */
final class SealedQueue {

  /** Why a queue was scored: a metric per reason. */
  enum Reason {
    FULL,
    DEADLINE,
    EVENT,
    END_OF_INPUT
  }

  /** What is held: inferences, the highest inference block, the processing-time deadline. */
  record Held(int inferences, long lastBlock, long deadline) {}

  /** The event-time timer that fires only on the final watermark, when a bounded input ends. */
  static final long END_OF_INPUT = Long.MAX_VALUE;

  private final AttributionJob.Batching batching;
  private final ListState<ChainInput> inferences;
  private final ListState<Integer> segments;
  private final ValueState<Held> held;

  SealedQueue(RuntimeContext runtime, AttributionJob.Batching batching) {
    this.batching = batching;
    inferences =
        runtime.getListState(new ListStateDescriptor<>("sealed-inferences", ChainInput.class));
    segments = runtime.getListState(new ListStateDescriptor<>("sealed-segments", Integer.class));
    held = runtime.getState(new ValueStateDescriptor<>("sealed-held", Held.class));
  }

  /**
   * Queues one seal's ready inferences (sorted by block, log index); true when the queue is now
   * due. Timers are only set for a queue that waits, so batches of one never touch them.
   */
  boolean add(List<ChainInput> ready, TimerService timers) throws Exception {
    Held now = held.value();
    long last = now == null ? Long.MIN_VALUE : now.lastBlock();
    for (ChainInput in : ready) {
      last = Math.max(last, in.block());
    }
    int count = (now == null ? 0 : now.inferences()) + ready.size();
    inferences.addAll(ready);
    segments.add(ready.size());
    long deadline = now == null ? Long.MIN_VALUE : now.deadline();
    boolean due = count >= batching.maxInferences();
    if (!due && now == null) {
      deadline = timers.currentProcessingTime() + batching.maxDelay().toMillis();
      timers.registerProcessingTimeTimer(deadline);
      timers.registerEventTimeTimer(END_OF_INPUT);
    }
    held.update(new Held(count, last, deadline));
    return due;
  }

  /** Inferences queued now (0 when empty). */
  int size() throws Exception {
    Held now = held.value();
    return now == null ? 0 : now.inferences();
  }

  /** Whether a processing-time timer at {@code timestamp} is this queue's deadline. */
  boolean isDeadline(long timestamp) throws Exception {
    Held now = held.value();
    return now != null && now.deadline() == timestamp;
  }

  /**
   * Whether applying {@code in} now could change what a queued inference is scored against, so the
   * queue must be scored first. The sidecar answers each query at its own block (active intervals)
   * and params are found by block, so an event after the last queued block changes nothing; but a
   * model is current state (whether it exists, its method, its Datanets), and a reorg's removal may
   * reopen a contribution or retract a queued inference (which, scored first, is emitted then
   * retracted, as a seal-by-seal run does).
   */
  boolean affectedBy(ChainInput in) throws Exception {
    Held now = held.value();
    if (now == null) {
      return false;
    }
    return switch (in.kind()) {
      case SEAL, OTHER -> false;
      case MODEL -> true;
      case INFERENCE -> in.removed();
      case CONTRIBUTION, REVIEW, SLASH, WITHDRAW, PARAMS ->
          in.removed() || in.block() <= now.lastBlock();
    };
  }

  /**
   * Empties the queue and cancels its timers; returns its segments in seal order (each in the order
   * its seal would have scored it).
   */
  List<List<ChainInput>> drain(TimerService timers) throws Exception {
    Held now = held.value();
    if (now == null) {
      return List.of();
    }
    if (now.deadline() != Long.MIN_VALUE) {
      timers.deleteProcessingTimeTimer(now.deadline());
      timers.deleteEventTimeTimer(END_OF_INPUT);
    }
    List<ChainInput> all = new ArrayList<>(now.inferences());
    inferences.get().forEach(all::add);
    List<List<ChainInput>> out = new ArrayList<>();
    int from = 0;
    for (int size : segments.get()) {
      out.add(all.subList(from, from + size));
      from += size;
    }
    inferences.clear();
    segments.clear();
    held.clear();
    return out;
  }
}
