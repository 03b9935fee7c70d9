package org.openledger.flink.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class BatchSizesTest {

  @Property
  void shouldCoverEveryRowInOrderWithBatchesWithinTheRowAndByteLimits(
      @ForAll @Size(max = 60) List<@LongRange(min = 1, max = 1000) Long> sizes,
      @ForAll @IntRange(min = 1, max = 10) int maxRows,
      @ForAll @LongRange(min = 1, max = 3000) long maxBytes) {
    List<Integer> covered = new ArrayList<>();
    for (int from = 0, to; from < sizes.size(); from = to) {
      to = BatchSizes.end(sizes, from, maxRows, maxBytes, Long::longValue);
      long bytes = sizes.subList(from, to).stream().mapToLong(Long::longValue).sum();

      assertThat(to).isGreaterThan(from);
      assertThat(to - from).isLessThanOrEqualTo(maxRows);
      assertThat(to - from == 1 || bytes <= maxBytes)
          .as("bytes %d of %d rows", bytes, to - from)
          .isTrue();
      for (int i = from; i < to; i++) {
        covered.add(i);
      }
    }
    assertThat(covered).hasSize(sizes.size()).isSorted();
  }

  @Test
  void shouldKeepQueriesTimesKWithinTheSidecarsMatchLimit() {
    assertThat(BatchSizes.scoreRows(4096, 10)).isEqualTo(4096);
    assertThat(BatchSizes.scoreRows(4096, 1000)).isEqualTo((1 << 18) / 1000);
    assertThat(BatchSizes.scoreRows(4096, 1 << 20)).isEqualTo(1);
  }

  @Test
  void shouldCountUtf8BytesOfTextsWhenSizingRows() {
    assertThat(BatchSizes.utf8Length("héllo €𝄞"))
        .isEqualTo("héllo €𝄞".getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    assertThat(BatchSizes.rowBytes(null, new float[10])).isEqualTo(48 + 40);
  }
}
