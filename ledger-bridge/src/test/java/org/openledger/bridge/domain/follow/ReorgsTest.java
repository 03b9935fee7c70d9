package org.openledger.bridge.domain.follow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.openledger.pipeline.FollowerCursor;
import org.openledger.pipeline.RecentBlock;

class ReorgsTest {

  private static RecentBlock block(long n, String branch) {
    return RecentBlock.newBuilder()
        .setNumber(n)
        .setHash(branch + n)
        .setParentHash(n == 0 ? "genesis" : (n <= 5 ? "a" : branch) + (n - 1))
        .setLogs(new ArrayList<>())
        .build();
  }

  /** Blocks 1..last of branch "a" written, window large enough. */
  private static FollowerCursor written(long last) {
    FollowerCursor cursor =
        FollowerCursor.newBuilder()
            .setChainId(1337)
            .setBlockNumber(0)
            .setBlockHash("a0")
            .setRecent(new ArrayList<>(List.of(block(0, "a"))))
            .build();
    List<RecentBlock> blocks = new ArrayList<>();
    for (long n = 1; n <= last; n++) {
      blocks.add(block(n, "a"));
    }
    return Reorgs.advance(cursor, blocks, 64);
  }

  @Test
  void shouldExtendWhenParentHashMatches() {
    assertThat(Reorgs.decide(written(8), new BlockRef(9, "a9", "a8"), Map.of()))
        .isInstanceOf(ReorgDecision.Extend.class);
  }

  @Test
  void shouldRewindToTheNewestCanonicalBlockAndDropTheRestNewestFirst() {
    Map<Long, String> canonical = new HashMap<>();
    for (long n = 0; n <= 8; n++) {
      canonical.put(n, n <= 5 ? "a" + n : "b" + n);
    }

    ReorgDecision decision = Reorgs.decide(written(8), new BlockRef(9, "b9", "b8"), canonical);

    assertThat(decision)
        .isInstanceOfSatisfying(
            ReorgDecision.Rewind.class,
            r -> {
              assertThat(r.ancestorNumber()).isEqualTo(5);
              assertThat(r.ancestorHash()).isEqualTo("a5");
              assertThat(r.dropped())
                  .extracting(RecentBlock::getNumber)
                  .containsExactly(8L, 7L, 6L);
            });
    FollowerCursor rewound = Reorgs.rewind(written(8), (ReorgDecision.Rewind) decision);
    assertThat(rewound.getBlockNumber()).isEqualTo(5);
    assertThat(rewound.getRecent()).extracting(RecentBlock::getNumber).endsWith(5L);
  }

  @Test
  void shouldStopWhenTheForkIsDeeperThanTheWindow() {
    FollowerCursor cursor = written(8);
    Map<Long, String> canonical = new HashMap<>();
    for (long n = 0; n <= 8; n++) {
      canonical.put(n, "z" + n);
    }

    assertThat(Reorgs.decide(cursor, new BlockRef(9, "z9", "z8"), canonical))
        .isInstanceOfSatisfying(
            ReorgDecision.TooDeep.class,
            t -> assertThat(t.reason()).contains("deeper than the reorg window"));
  }

  @Property
  void shouldKeepAtMostTheWindowAndPointAtTheLastBlock(
      @ForAll @IntRange(min = 1, max = 200) int blocks,
      @ForAll @IntRange(min = 1, max = 64) int window) {
    FollowerCursor cursor =
        FollowerCursor.newBuilder()
            .setChainId(1)
            .setBlockNumber(0)
            .setBlockHash("")
            .setRecent(new ArrayList<>())
            .build();
    List<RecentBlock> written = new ArrayList<>();
    for (long n = 1; n <= blocks; n++) {
      written.add(block(n, "a"));
    }

    FollowerCursor after = Reorgs.advance(cursor, written, window);

    assertThat(after.getRecent()).hasSize(Math.min(blocks, window));
    assertThat(after.getBlockNumber()).isEqualTo(blocks);
    assertThat(after.getRecent().get(after.getRecent().size() - 1).getNumber()).isEqualTo(blocks);
  }
}
