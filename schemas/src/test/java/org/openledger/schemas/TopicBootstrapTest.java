package org.openledger.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicBootstrapTest {

  @Test
  void shouldStampRecordsWithTheBrokersAppendTimeWhenTheTopicSaysNothing() {
    NewTopic t =
        TopicBootstrap.withAppendTime(
            new NewTopic("t", 3, (short) 1).configs(Map.of("cleanup.policy", "compact")));

    assertThat(t.name()).isEqualTo("t");
    assertThat(t.numPartitions()).isEqualTo(3);
    assertThat(t.configs())
        .containsEntry("cleanup.policy", "compact")
        .containsEntry("message.timestamp.type", "LogAppendTime");
  }

  @Test
  void shouldKeepATimestampTypeTheTopicAsksFor() {
    NewTopic t =
        TopicBootstrap.withAppendTime(
            new NewTopic("t", 1, (short) 1)
                .configs(Map.of("message.timestamp.type", "CreateTime")));

    assertThat(t.configs()).containsEntry("message.timestamp.type", "CreateTime");
  }
}
