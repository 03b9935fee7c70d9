package org.openledger.flink;

import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.openledger.flink.operators.CountingRelay;

/**
 * The stack check of the embedded default: copies one topic to another exactly once, proving that
 * Flink, its checkpoints and transactional Kafka work together before the pipeline's own jobs
 * (attribution, payment) run on the same wiring.
 */
public final class RelayJob {

  private final Source<String, ?, ?> source;
  private final Sink<String> sink;

  public RelayJob(Source<String, ?, ?> source, Sink<String> sink) {
    this.source = Objects.requireNonNull(source, "source");
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  /** Wires source, relay and sink into {@code env}; every operator has a stable uid. */
  public void build(StreamExecutionEnvironment env) {
    env.fromSource(source, WatermarkStrategy.noWatermarks(), "stack-check source")
        .uid("stack-check-source")
        .map(new CountingRelay<String>())
        .name("count and relay")
        .uid("stack-check-relay")
        .sinkTo(sink)
        .name("stack-check sink")
        .uid("stack-check-sink");
  }
}
