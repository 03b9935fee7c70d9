package org.openledger.bridge.streams;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Counts of what the decoder did with each raw record, for {@code /metrics}. */
public final class DecoderMetrics {

  private final Map<String, AtomicLong> decoded = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> deadLettered = new ConcurrentHashMap<>();
  private final AtomicLong ignored = new AtomicLong();
  private final AtomicLong sealed = new AtomicLong();

  void decoded(String topic) {
    decoded.computeIfAbsent(topic, t -> new AtomicLong()).incrementAndGet();
  }

  void deadLettered(String cause) {
    deadLettered.computeIfAbsent(cause, t -> new AtomicLong()).incrementAndGet();
  }

  void sealed() {
    sealed.incrementAndGet();
  }

  public long sealedTotal() {
    return sealed.get();
  }

  void ignored() {
    ignored.incrementAndGet();
  }

  public long deadLetters() {
    return deadLettered.values().stream().mapToLong(AtomicLong::get).sum();
  }

  public long decodedTotal() {
    return decoded.values().stream().mapToLong(AtomicLong::get).sum();
  }

  public long ignoredTotal() {
    return ignored.get();
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
    out.append("# TYPE decoder_records_ignored_total counter\ndecoder_records_ignored_total ")
        .append(ignored.get())
        .append('\n');
    return out.toString();
  }
}
