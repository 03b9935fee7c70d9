package org.openledger.flink.operators;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.openledger.flink.AttributionJob;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.attribution.Duplicate;
import org.openledger.flink.attribution.Rejection;

/**
 * The {@link AttributionOperator} in Flink's keyed test harness (key: the chain), with its own
 * {@link FakeSidecar}; collects results and side outputs in emission order.
 */
final class AttributionHarness implements AutoCloseable {

  static final long RETRACT_WINDOW_BLOCKS = 128;

  final String name = "sidecar-" + UUID.randomUUID();
  final FakeSidecar sidecar = FakeSidecar.register(name);
  final KeyedOneInputStreamOperatorTestHarness<Long, ChainInput, Attribution> harness;

  private AttributionHarness(AttributionJob.Batching batching) throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new AttributionOperator(
                    FakeSidecar.factory(name), RETRACT_WINDOW_BLOCKS, batching)),
            ChainInput::chainId,
            Types.LONG);
  }

  /** A fresh operator with empty state that scores each seal on arrival. */
  static AttributionHarness open() throws Exception {
    return open(AttributionJob.Batching.perSeal());
  }

  /** A fresh operator with empty state that batches seals as {@code batching} says. */
  static AttributionHarness open(AttributionJob.Batching batching) throws Exception {
    AttributionHarness h = new AttributionHarness(batching);
    h.harness.open();
    return h;
  }

  /** An operator restored from {@code snapshot}, with a fresh (empty) sidecar. */
  static AttributionHarness restore(OperatorSubtaskState snapshot) throws Exception {
    return restore(snapshot, AttributionJob.Batching.perSeal());
  }

  /** As {@link #restore(OperatorSubtaskState)}, batching seals as {@code batching} says. */
  static AttributionHarness restore(OperatorSubtaskState snapshot, AttributionJob.Batching batching)
      throws Exception {
    AttributionHarness h = new AttributionHarness(batching);
    h.harness.initializeState(snapshot);
    h.harness.open();
    return h;
  }

  AttributionHarness send(ChainInput... inputs) throws Exception {
    for (ChainInput in : inputs) {
      harness.processElement(in, in.block());
    }
    return this;
  }

  OperatorSubtaskState snapshot() throws Exception {
    return harness.snapshot(0, 0);
  }

  /** Every result emitted so far, in order. */
  List<Attribution> results() {
    return harness.extractOutputValues();
  }

  /** Scores whatever is queued and due by {@code millis} of processing time. */
  AttributionHarness at(long millis) throws Exception {
    harness.setProcessingTime(millis);
    return this;
  }

  /** The results kept to be retracted (the operator's {@code emitted} state), by inference. */
  Map<Long, Attribution> emittedState() throws Exception {
    KeyedStateBackend<Long> backend =
        ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
    backend.setCurrentKey(AttributionInputs.CHAIN);
    MapState<Long, Attribution> state =
        backend.getPartitionedState(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            new MapStateDescriptor<>("emitted", Long.class, Attribution.class));
    Map<Long, Attribution> out = new TreeMap<>();
    state.entries().forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** Every rejection emitted so far, in order. */
  List<Rejection> rejections() {
    Queue<StreamRecord<Rejection>> side = harness.getSideOutput(AttributionOperator.REJECTED);
    List<Rejection> out = new ArrayList<>();
    if (side != null) {
      side.forEach(r -> out.add(r.getValue()));
    }
    return out;
  }

  /** Every duplicate flag (and its retraction) emitted so far, in order. */
  List<Duplicate> duplicates() {
    Queue<StreamRecord<Duplicate>> side = harness.getSideOutput(AttributionOperator.DUPLICATES);
    List<Duplicate> out = new ArrayList<>();
    if (side != null) {
      side.forEach(r -> out.add(r.getValue()));
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    try {
      harness.close();
    } finally {
      FakeSidecar.unregister(name);
    }
  }
}
