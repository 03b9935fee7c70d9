package org.openledger.flink.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.junit.jupiter.api.Test;

class ArrowBatchesTest {

  @Test
  void shouldWriteTextOrVectorPerRowAndNullsElsewhereWhenFillingIndexBatches() {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(ArrowBatches.INDEX, allocator)) {
      ArrowBatches.fillIndex(
          root,
          List.of(
              IndexRow.text(1, 10, "héllo"),
              IndexRow.vector(2, 11, new float[] {0.5f, -1f}).closedAt(20),
              IndexRow.text(3, 12, "again")));

      assertThat(root.getRowCount()).isEqualTo(3);
      assertThat(((BigIntVector) root.getVector("contribution_id")).get(1)).isEqualTo(2);
      assertThat(root.getVector("active_to").isNull(0)).isTrue();
      assertThat(((BigIntVector) root.getVector("active_to")).get(1)).isEqualTo(20);
      assertThat(new String(((VarCharVector) root.getVector("text")).get(0))).isEqualTo("héllo");
      assertThat(root.getVector("text").isNull(1)).isTrue();
      ListVector vectors = (ListVector) root.getVector("vector");
      assertThat(vectors.isNull(0)).isTrue();
      assertThat(vectors.getObject(1)).asString().isEqualTo("[0.5,-1.0]");
      assertThat(vectors.isNull(2)).isTrue();
    }
  }

  @Test
  void shouldReleaseEveryBufferWhenARootIsRefilledAndClosed() {
    try (BufferAllocator allocator = new RootAllocator()) {
      try (VectorSchemaRoot root = VectorSchemaRoot.create(ArrowBatches.SCORE, allocator)) {
        ArrowBatches.fillScore(root, List.of(ScoreQuery.vector(1, 5, new float[] {1f})));
        ArrowBatches.fillScore(
            root, List.of(ScoreQuery.text(2, 6, "q"), ScoreQuery.text(3, 6, "r")));
        assertThat(root.getRowCount()).isEqualTo(2);
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void shouldRefuseRowsWithBothOrNeitherTextAndVector() {
    assertThatThrownBy(() -> new IndexRow(1, 1, null, "t", new float[1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScoreQuery(1, 1, null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldMapTaggedFlightErrorsToTypedExceptions() {
    assertThat(
            SidecarErrors.map(
                "score",
                CallStatus.UNKNOWN.withDescription("[bad-request] k").toRuntimeException()))
        .isInstanceOf(SidecarException.BadRequest.class)
        .hasMessageContaining("sidecar score failed: [bad-request] k");
    assertThat(
            SidecarErrors.map(
                "index",
                CallStatus.UNKNOWN.withDescription("[capacity] full").toRuntimeException()))
        .isInstanceOf(SidecarException.Capacity.class);
    assertThat(
            SidecarErrors.map(
                "score",
                CallStatus.UNAVAILABLE.withDescription("[not-ready] x").toRuntimeException()))
        .isInstanceOf(SidecarException.NotReady.class)
        .matches(e -> !e.retryable());
    assertThat(
            SidecarErrors.map(
                "score", CallStatus.UNAVAILABLE.withDescription("refused").toRuntimeException()))
        .isInstanceOf(SidecarException.Unavailable.class)
        .matches(SidecarException::retryable);
    assertThat(
            SidecarErrors.map(
                "score", CallStatus.INTERNAL.withDescription("bug").toRuntimeException()))
        .isExactlyInstanceOf(SidecarException.class)
        .matches(e -> !e.retryable());
  }
}
