package org.openledger.bridge.streams;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.openledger.bridge.decode.DecodeResult;

/**
 * Counts of what the decoder did with each raw record, for {@code /metrics}: decoded per topic,
 * dead-lettered per cause, ignored per reason (not consumed, foreign contract, unknown event).
 */
public final class DecoderMetrics {

  private final Map<String, AtomicLong> decoded = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> deadLettered = new ConcurrentHashMap<>();
  private final Map<DecodeResult.Why, AtomicLong> ignored = new EnumMap<>(DecodeResult.Why.class);
  private final AtomicLong sealed = new AtomicLong();
  private final Map<String, AtomicLong> redelivered = new ConcurrentHashMap<>();

  public DecoderMetrics() {
    // Every reason from the start, so a dashboard sees a zero before the first forged log.
    for (DecodeResult.Why why : DecodeResult.Why.values()) {
      ignored.put(why, new AtomicLong());
    }
  }

  void decoded(String topic) {
    decoded.computeIfAbsent(topic, t -> new AtomicLong()).incrementAndGet();
  }

  void deadLettered(String cause) {
    deadLettered.computeIfAbsent(cause, t -> new AtomicLong()).incrementAndGet();
  }

  /**
   * A record of {@code topic} processed before came again and was skipped ({@link OffsetGuard}).
   */
  void redelivered(String topic) {
    redelivered.computeIfAbsent(topic, t -> new AtomicLong()).incrementAndGet();
  }

  public long redeliveredTotal() {
    return redelivered.values().stream().mapToLong(AtomicLong::get).sum();
  }

  void sealed() {
    sealed.incrementAndGet();
  }

  public long sealedTotal() {
    return sealed.get();
  }

  void ignored(DecodeResult.Why why) {
    ignored.get(why).incrementAndGet();
  }

  public long deadLetters() {
    return deadLettered.values().stream().mapToLong(AtomicLong::get).sum();
  }

  public long decodedTotal() {
    return decoded.values().stream().mapToLong(AtomicLong::get).sum();
  }

  public long ignoredTotal() {
    return ignored.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Prometheus text format. */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append("# TYPE decoder_records_decoded_total counter\n");
    new TreeMap<>(decoded)
        .forEach(
            (t, n) ->
                out.append("decoder_records_decoded_total{topic=\"")
                    .append(t)
                    .append("\"} ")
                    .append(n.get())
                    .append('\n'));
    out.append("# TYPE decoder_dead_letters_total counter\n");
    new TreeMap<>(deadLettered)
        .forEach(
            (c, n) ->
                out.append("decoder_dead_letters_total{cause=\"")
                    .append(c)
                    .append("\"} ")
                    .append(n.get())
                    .append('\n'));
    out.append("# TYPE decoder_block_seals_total counter\ndecoder_block_seals_total ")
        .append(sealed.get())
        .append('\n');
    out.append("# TYPE decoder_records_redelivered_total counter\n");
    new TreeMap<>(redelivered)
        .forEach(
            (t, n) ->
                out.append("decoder_records_redelivered_total{topic=\"")
                    .append(t)
                    .append("\"} ")
                    .append(n.get())
                    .append('\n'));
    out.append("# TYPE decoder_records_ignored_total counter\n");
    ignored.forEach(
        (why, n) ->
            out.append("decoder_records_ignored_total{reason=\"")
                .append(why.label())
                .append("\"} ")
                .append(n.get())
                .append('\n'));
    return out.toString();
  }
}
