package org.openledger.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.openledger.events.ChainPosition;

/** docs/EVENTS.md tells the truth: every topic with its partitions and schema, every field. */
class EventsDocTest {

  private static final Path DOC = Path.of("..", "docs", "EVENTS.md");

  @Test
  void shouldListEveryTopicWithItsPartitionsAndSchema() throws Exception {
    String doc = Files.readString(DOC);
    for (Topic topic : Topics.ALL) {
      String row =
          doc.lines()
              .filter(l -> l.startsWith("| `" + topic.name() + "` |"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("EVENTS.md has no row for " + topic.name()));
      assertThat(row)
          .contains("| " + topic.partitions() + " |")
          .contains("`" + topic.valueSchema().getName() + "`");
    }
  }

  @Test
  void shouldGiveEveryTopicTheRetentionTheCodeApplies() throws Exception {
    String doc = Files.readString(DOC);
    int start = doc.indexOf("### Retention");
    assertThat(start).as("EVENTS.md has a Retention section").isPositive();
    String section = doc.substring(start, doc.indexOf("\n### ", start + 1));
    for (Topic topic : Topics.ALL) {
      String word =
          switch (Retention.of(topic.name())) {
            case FOREVER -> "forever";
            case COMPACTED -> "compacted";
            case EXPIRING -> "expiring";
          };
      assertThat(section)
          .as("retention row of %s", topic.name())
          .contains("| `" + topic.name() + "` | " + word + " |");
    }
  }

  @Test
  void shouldDescribeEveryFieldOfEverySchema() throws Exception {
    String doc = Files.readString(DOC);
    assertSections(doc, ChainPosition.getClassSchema());
    for (Topic topic : Topics.ALL) {
      assertSections(doc, topic.valueSchema());
    }
  }

  private static void assertSections(String doc, Schema schema) {
    String heading = "### " + schema.getName() + "\n";
    assertThat(doc).as("section for %s", schema.getName()).contains(heading);
    int start = doc.indexOf(heading);
    int end = doc.indexOf("\n### ", start + heading.length());
    String section = doc.substring(start, end < 0 ? doc.length() : end);
    for (Schema.Field field : schema.getFields()) {
      assertThat(section)
          .as("%s.%s in EVENTS.md", schema.getName(), field.name())
          .contains("| `" + field.name() + "` |");
    }
  }
}
