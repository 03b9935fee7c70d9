package org.openledger.flink.operators;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * Passes records through unchanged and counts them ({@code recordsRelayed} in the Web UI and the
 * metrics), so an operator sees the relay move without reading its output topic.
 */
public final class CountingRelay<T> extends RichMapFunction<T, T> {

  private transient Counter relayed;

  @Override
  public void open(OpenContext context) {
    relayed = getRuntimeContext().getMetricGroup().counter("recordsRelayed");
  }

  @Override
  public T map(T value) {
    relayed.inc();
    return value;
  }
}
