package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class CountingRelayTest {

  @Test
  void shouldPassRecordsThroughUnchangedAndInOrder() throws Exception {
    try (var harness =
        new OneInputStreamOperatorTestHarness<>(new StreamMap<>(new CountingRelay<String>()))) {
      harness.open();

      harness.processElement("a", 1);
      harness.processElement("b", 2);

      assertThat(harness.extractOutputValues()).containsExactly("a", "b");
    }
  }
}
