package org.openledger.bridge.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The columns a table made by an older DDL lacks are added in place, with their defaults. */
class DdlTest {

  private static final String CREATE =
      """
      CREATE TABLE IF NOT EXISTS db.params_changed
      (
          version UInt64,
          role Enum8('A' = 0, 'B, C' = 1),
          amount Decimal(38, 0),
          share_rule String DEFAULT 'LINEAR',
          share_rule_param UInt32 DEFAULT 0,
          _offset UInt64
      )
      ENGINE = ReplacingMergeTree(_offset)
      ORDER BY (version)""";

  @Test
  void shouldAddEachMissingColumnAfterTheOneItFollowsWhenTheTableIsOlder() {
    assertThat(Ddl.missingColumns(CREATE, Set.of("version", "role", "amount", "_offset")))
        .containsExactly(
            "ALTER TABLE db.params_changed ADD COLUMN share_rule String DEFAULT 'LINEAR' AFTER"
                + " amount",
            "ALTER TABLE db.params_changed ADD COLUMN share_rule_param UInt32 DEFAULT 0 AFTER"
                + " share_rule");
  }

  @Test
  void shouldAddNothingWhenTheTableHasEveryColumnOrDoesNotExist() {
    Set<String> all =
        Set.of("version", "role", "amount", "share_rule", "share_rule_param", "_offset");

    assertThat(Ddl.missingColumns(CREATE, all)).isEmpty();
    assertThat(Ddl.missingColumns(CREATE, Set.of())).isEmpty();
    assertThat(Ddl.missingColumns("CREATE VIEW IF NOT EXISTS db.v AS SELECT 1", Set.of("x")))
        .isEmpty();
  }

  @Test
  void shouldParseEveryTableOfTheProjectsDdlIntoItsColumns() throws Exception {
    List<String> creates =
        Ddl.statements(Path.of("..", "sql"), "0\\d+_.*\\.sql", "db").stream()
            .filter(s -> s.startsWith("CREATE TABLE"))
            .toList();

    assertThat(creates).isNotEmpty();
    for (String create : creates) {
      // Only the Kafka bookkeeping columns present: every other column is added, none is mangled.
      List<String> alters = Ddl.missingColumns(create, Set.of("_partition"));
      assertThat(alters)
          .isNotEmpty()
          .allSatisfy(a -> assertThat(a).matches("ALTER TABLE db\\.\\w+ ADD COLUMN \\w+ .+"))
          .noneSatisfy(a -> assertThat(a).contains("ENGINE"));
    }
  }
}
