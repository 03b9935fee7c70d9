package org.openledger.bridge.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.openledger.events.BatchChallenged;
import org.openledger.events.BatchProposed;
import org.openledger.events.BatchResolved;
import org.openledger.events.ChainPosition;
import org.openledger.schemas.Topics;

/**
 * The loader writes each batch event as a row with exactly the columns of its table in
 * sql/010_chain_events.sql, in their order, amounts exact: checked against the DDL itself, without
 * a server (ClickHouseLoaderIT loads against one).
 */
class BatchTablesTest {

  private static final Pattern ADD = Pattern.compile("ADD COLUMN (\\w+) ");
  private static final BigDecimal WEI = new BigDecimal("123456789012345678901234567891");
  private static final ChainPosition AT =
      ChainPosition.newBuilder()
          .setChainId(1337)
          .setBlockNumber(42)
          .setBlockHash("0x" + "11".repeat(32))
          .setBlockTimestamp(1_700_000_000L)
          .setTxHash("0x" + "22".repeat(32))
          .setLogIndex(3)
          .build();
  private static final String BATCH = "0x" + "ab".repeat(32);
  private static final String ALICE = "0x00000000000000000000000000000000000000aa";

  /** Each table's columns, in order, as the DDL declares them. */
  private static Map<String, List<String>> columns() throws Exception {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String s : Ddl.statements(Path.of("..", "sql"), "0\\d+_.*\\.sql", "db")) {
      Matcher table = Pattern.compile("CREATE TABLE IF NOT EXISTS db\\.(\\w+)").matcher(s);
      if (table.find()) {
        List<String> names = new ArrayList<>();
        // Only an unknown column exists: every real one comes back as one to add, in order.
        for (String alter : Ddl.missingColumns(s, Set.of("none"))) {
          Matcher m = ADD.matcher(alter);
          assertThat(m.find()).isTrue();
          names.add(m.group(1));
        }
        out.put(table.group(1), names);
      }
    }
    return out;
  }

  private static Map<String, String> row(String table, SpecificRecord event) throws Exception {
    LoadedTables.Loaded<?> loaded =
        LoadedTables.ALL.stream().filter(t -> t.table().equals(table)).findFirst().orElseThrow();
    Tsv tsv = new Tsv();
    loaded.write(event, tsv);
    tsv.number(0).number(17).number(1_764_000_000_000L);
    String[] fields = tsv.line().stripTrailing().split("\t", -1);
    List<String> names = columns().get(table);
    assertThat(fields).as("columns of %s", table).hasSize(names.size());
    Map<String, String> byName = new LinkedHashMap<>();
    for (int i = 0; i < fields.length; i++) {
      byName.put(names.get(i), fields[i]);
    }
    return byName;
  }

  @Test
  void shouldLoadEachBatchEventTopicIntoItsTable() {
    assertThat(LoadedTables.ALL)
        .filteredOn(t -> t.topic().name().startsWith("chain.batch-"))
        .extracting(t -> t.topic().name() + " -> " + t.table())
        .containsExactlyInAnyOrder(
            Topics.BATCH_PROPOSED.name() + " -> batch_proposed",
            Topics.BATCH_CHALLENGED.name() + " -> batch_challenged",
            Topics.BATCH_RESOLVED.name() + " -> batch_resolved",
            Topics.BATCH_SETTLED.name() + " -> batch_settled");
  }

  @Test
  void shouldWriteAProposalColumnForColumnWithExactAmounts() throws Exception {
    BatchProposed proposed =
        BatchProposed.newBuilder()
            .setPosition(AT)
            .setRemoved(true)
            .setBatchId(BATCH)
            .setProposer(ALICE)
            .setWindowStart(100)
            .setWindowEnd(119)
            .setSubBatch(1)
            .setSubBatchCount(4_294_967_295L)
            .setAttributionRoot("0x" + "cd".repeat(32))
            .setTotal(WEI.add(BigDecimal.ONE))
            .setChallengeDeadline(125)
            .setPayees(List.of(ALICE, "0x00000000000000000000000000000000000000bb"))
            .setAmounts(List.of(WEI, BigDecimal.ONE))
            .build();

    Map<String, String> row = row("batch_proposed", proposed);

    assertThat(row)
        .containsEntry("chain_id", "1337")
        .containsEntry("log_index", "3")
        .containsEntry("removed", "1")
        .containsEntry("batch_id", BATCH)
        .containsEntry("proposer", ALICE)
        .containsEntry("window_start", "100")
        .containsEntry("window_end", "119")
        .containsEntry("sub_batch", "1")
        .containsEntry("sub_batch_count", "4294967295")
        .containsEntry("total_wei", "123456789012345678901234567892")
        .containsEntry("challenge_deadline", "125")
        .containsEntry("amounts_wei", "[123456789012345678901234567891,1]")
        .containsEntry("_offset", "17");
    assertThat(row.get("payees")).contains(ALICE);
  }

  @Test
  void shouldWriteAChallengeAndAResolutionColumnForColumn() throws Exception {
    BatchChallenged challenged =
        BatchChallenged.newBuilder()
            .setPosition(AT)
            .setBatchId(BATCH)
            .setChallenger(ALICE)
            .setBond(WEI)
            .build();
    BatchResolved resolved =
        BatchResolved.newBuilder()
            .setPosition(AT)
            .setBatchId(BATCH)
            .setUpheld(true)
            .setBondWinner(ALICE)
            .setBondPaid(WEI)
            .build();

    assertThat(row("batch_challenged", challenged))
        .containsEntry("removed", "0")
        .containsEntry("batch_id", BATCH)
        .containsEntry("challenger", ALICE)
        .containsEntry("bond_wei", WEI.toPlainString());
    assertThat(row("batch_resolved", resolved))
        .containsEntry("upheld", "1")
        .containsEntry("bond_winner", ALICE)
        .containsEntry("bond_paid_wei", WEI.toPlainString());
  }
}
