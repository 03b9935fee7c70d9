package org.openledger.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaHistoryTest {

  private static final Path SOURCES = Path.of("src/main/avro");
  private static final Path HISTORY = Path.of("history");

  /** Parsed first, in this order, because other schemas refer to them (as in the pom). */
  private static final List<Path> SHARED =
      java.util.stream.Stream.of(
              "ChainPosition",
              "RawChainLog",
              "DatanetCreated",
              "CuratorSet",
              "DataContributed",
              "ContributionReviewed",
              "StakeSlashed",
              "StakeWithdrawn",
              "ContributionFlagged",
              "FlagDisputed",
              "FlagCleared",
              "ModelRegistered",
              "ModelOwnerChanged",
              "InferencePaid",
              "ParamsChanged",
              "FeeEscrowed",
              "BatchProposed",
              "BatchChallenged",
              "BatchResolved",
              "BatchSettled",
              "BlockSealed",
              "PayoutAccrual")
          .map(name -> SOURCES.resolve(name + ".avsc"))
          .toList();

  @Test
  void shouldKeepEverySchemaBackwardCompatibleWithItsCommittedVersions() {
    assertThat(SchemaHistory.check(SOURCES, HISTORY, SHARED)).isEmpty();
  }

  @Test
  void shouldNameTheFieldWhenARequiredFieldIsAddedWithoutDefault(@TempDir Path dir)
      throws Exception {
    Schema v1 = SchemaBuilder.record("Payout").fields().requiredLong("amount").endRecord();
    Schema v2 =
        SchemaBuilder.record("Payout")
            .fields()
            .requiredLong("amount")
            .requiredString("payee")
            .endRecord();
    Files.createDirectories(dir.resolve("src"));
    Files.createDirectories(dir.resolve("history/Payout"));
    Files.writeString(dir.resolve("src/Payout.avsc"), v2.toString());
    Files.writeString(dir.resolve("history/Payout/v1.avsc"), v1.toString());

    List<String> problems =
        SchemaHistory.check(dir.resolve("src"), dir.resolve("history"), List.of());

    assertThat(problems)
        .anySatisfy(p -> assertThat(p).contains("add it as history/Payout/v2.avsc"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("Payout (tree) reading v1 is not BACKWARD compatible")
                    .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
                    .contains("payee"));
  }

  @Test
  void shouldAcceptAFieldAddedWithADefault() {
    Schema v1 = SchemaBuilder.record("Payout").fields().requiredLong("amount").endRecord();
    Schema v2 =
        SchemaBuilder.record("Payout")
            .fields()
            .requiredLong("amount")
            .name("memo")
            .type()
            .stringType()
            .stringDefault("")
            .endRecord();

    assertThat(SchemaHistory.incompatibilities("Payout", v2, v1)).isEmpty();
  }

  @Test
  void shouldAskForAFirstVersionWhenASchemaHasNoHistory(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("src"));
    Files.writeString(
        dir.resolve("src/Fresh.avsc"),
        SchemaBuilder.record("Fresh").fields().requiredInt("x").endRecord().toString());

    assertThat(SchemaHistory.check(dir.resolve("src"), dir.resolve("history"), List.of()))
        .containsExactly("Fresh: no committed version; copy it to history/Fresh/v1.avsc");
  }
}
