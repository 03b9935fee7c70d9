package org.openledger.replay;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.openledger.events.ChainEvent;
import org.openledger.flink.attribution.Attribution;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.attribution.ChainInputs;
import org.openledger.flink.attribution.Duplicate;
import org.openledger.flink.attribution.Rejection;
import org.openledger.flink.attribution.SidecarGateway;
import org.openledger.flink.operators.AttributionCore;
import org.openledger.flink.operators.ContentAttempts;

/**
 * Replay's attribution: the attribution job's own path for each event ({@link ChainInputs}, then
 * {@link ContentAttempts} for content, then {@link AttributionCore}) in chain order, one thread.
 * Inferences wait for their block's seal and are scored per seal, which the job's sealed queue is
 * built to give byte for byte. Duplicates flagged and records rejected are counted only: replay
 * checks payments, and both show in the results they change.
 */
final class SequencerAttributor implements Replayer.Attributor {

  private final SidecarGateway sidecar;
  private final ContentAttempts content;
  private final AttributionCore core;
  private final List<ChainInput> pending = new ArrayList<>();
  private final AttributionCore.Output out;
  private long duplicates;
  private long rejections;

  SequencerAttributor(SidecarGateway sidecar, ContentAttempts content) throws Exception {
    this.sidecar = sidecar;
    this.content = content;
    this.core =
        new AttributionCore(
            sidecar, AttributionCore.State.inMemory(), new AttributionCore.Counts() {});
    this.out =
        new AttributionCore.Output() {
          @Override
          public void rejected(Rejection rejection) {
            rejections++;
          }

          @Override
          public void duplicate(Duplicate duplicate) {
            duplicates++;
          }
        };
    core.ensureSeeded(); // an empty state: the sidecar starts empty and ready
  }

  @Override
  public void apply(ChainEvent event) throws Exception {
    ChainInput in = ChainInputs.of(event);
    switch (in.kind()) {
      case INFERENCE -> {
        if (!in.removed()) {
          pending.add(content.fetch(in));
        }
      }
      case CONTRIBUTION, REVIEW, SLASH, WITHDRAW, MODEL, PARAMS ->
          core.apply(content.fetch(in), out);
      case SEAL, OTHER -> {}
    }
  }

  @Override
  public List<Attribution> seal(long block) throws Exception {
    List<ChainInput> ready = new ArrayList<>();
    List<ChainInput> later = new ArrayList<>();
    for (ChainInput p : pending) {
      (p.block() <= block ? ready : later).add(p);
    }
    if (ready.isEmpty()) {
      return List.of();
    }
    pending.clear();
    pending.addAll(later);
    ready.sort(Comparator.comparingLong(ChainInput::block).thenComparingInt(ChainInput::logIndex));
    return core.attribute(List.of(ready), out);
  }

  long duplicates() {
    return duplicates;
  }

  long rejections() {
    return rejections;
  }

  @Override
  public void close() {
    content.close();
    sidecar.close();
  }
}
