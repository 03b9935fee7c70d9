package org.openledger.flink.sidecar;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Where the client cuts its rows into record batches: the sidecar refuses a batch over its row,
 * byte or match limits (its {@code limits.Limits}), so every batch stays under all three; a single
 * row is always sent alone, whatever its size (the sidecar's own per-row limits then decide).
 */
final class BatchSizes {

  /** Rows x k of one score batch: the sidecar's default {@code max_matches}. */
  static final int MAX_MATCHES_PER_BATCH = 1 << 18;

  private BatchSizes() {}

  /** The end (exclusive) of the batch starting at {@code from}. */
  static <T> int end(
      List<T> rows, int from, int maxRows, long maxBytes, ToLongFunction<T> bytesOfRow) {
    int to = from;
    long bytes = 0;
    while (to < rows.size() && to - from < maxRows) {
      long next = bytesOfRow.applyAsLong(rows.get(to));
      if (to > from && bytes + next > maxBytes) {
        break;
      }
      bytes += next;
      to++;
    }
    return to;
  }

  /** Queries per score batch so that queries x k stays within the sidecar's match limit. */
  static int scoreRows(int maxRows, int k) {
    return Math.max(1, Math.min(maxRows, MAX_MATCHES_PER_BATCH / Math.max(1, k)));
  }

  /** An upper bound of a row's Arrow bytes: ids and offsets, its text's UTF-8, its vector. */
  static long rowBytes(String text, float[] vector) {
    return 48 + (text == null ? 0 : utf8Length(text)) + (vector == null ? 0 : 4L * vector.length);
  }

  static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
