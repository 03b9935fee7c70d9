package org.openledger.bridge.domain.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The writer's own checks of a batch before any call to the chain. */
class BatchCheckTest {

  static final String ID = "0x" + "ab".repeat(32);
  static final String ROOT = "0x" + "cd".repeat(32);
  static final String PAYEE = "0x" + "11".repeat(20);

  static Optional<String> check(BatchCheck.Window window, String root) {
    return BatchCheck.problem(
        ID, window, List.of(PAYEE), List.of(BigInteger.TEN), BigInteger.TEN, root);
  }

  @Test
  void shouldPassAWellFormedSubBatchOfAWindow() {
    assertThat(check(new BatchCheck.Window(100, 119, 1, 3), ROOT)).isEmpty();
    assertThat(check(new BatchCheck.Window(7, 7, 0, 1), ROOT)).isEmpty();
  }

  @Test
  void shouldRefuseAWindowThatEndsBeforeItStarts() {
    assertThat(check(new BatchCheck.Window(120, 119, 0, 1), ROOT))
        .hasValueSatisfying(p -> assertThat(p).startsWith("InvalidWindow"));
    assertThat(check(new BatchCheck.Window(-1, 5, 0, 1), ROOT))
        .hasValueSatisfying(p -> assertThat(p).startsWith("InvalidWindow"));
  }

  @Test
  void shouldRefuseASubBatchOutsideItsCount() {
    for (BatchCheck.Window w :
        List.of(
            new BatchCheck.Window(1, 2, 1, 1),
            new BatchCheck.Window(1, 2, 0, 0),
            new BatchCheck.Window(1, 2, -1, 2))) {
      assertThat(check(w, ROOT))
          .hasValueSatisfying(p -> assertThat(p).startsWith("SubBatchOutOfRange"));
    }
  }

  @Test
  void shouldRefuseAZeroRootWhenTheContractWould() {
    assertThat(check(new BatchCheck.Window(1, 2, 0, 1), "0x" + "00".repeat(32)))
        .hasValueSatisfying(p -> assertThat(p).startsWith("ZeroRoot"));
  }

  @Property(tries = 2000)
  boolean shouldAcceptExactlyTheWindowsTheContractAccepts(
      @ForAll long start, @ForAll long end, @ForAll int subBatch, @ForAll int count) {
    boolean valid = start >= 0 && start <= end && subBatch >= 0 && subBatch < count;
    return check(new BatchCheck.Window(start, end, subBatch, count), ROOT).isEmpty() == valid;
  }
}
