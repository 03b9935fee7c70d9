package org.openledger.bridge.domain.follow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.openledger.pipeline.FollowerCursor;
import org.openledger.pipeline.RecentBlock;

/**
 * The follower's reorg rule as a pure function. A block extends the written chain when its parent
 * hash is the hash last written. Otherwise the newest written block the node still reports as
 * canonical is the common ancestor; everything written after it is dropped and must be retracted.
 */
public final class Reorgs {

  private Reorgs() {}

  /**
   * @param cursor what was written so far, with the recent blocks (oldest first)
   * @param next the header of the block after the cursor, as the node reports it now
   * @param canonical the hashes the node reports now for the recent blocks' numbers
   */
  public static ReorgDecision decide(
      FollowerCursor cursor, BlockRef next, Map<Long, String> canonical) {
    if (cursor.getBlockHash().isEmpty() || next.parentHash().equals(cursor.getBlockHash())) {
      return new ReorgDecision.Extend();
    }
    List<RecentBlock> recent = cursor.getRecent();
    List<RecentBlock> dropped = new ArrayList<>();
    for (int i = recent.size() - 1; i >= 0; i--) {
      RecentBlock block = recent.get(i);
      if (Objects.equals(canonical.get(block.getNumber()), block.getHash())) {
        return new ReorgDecision.Rewind(block.getNumber(), block.getHash(), List.copyOf(dropped));
      }
      dropped.add(block);
    }
    return new ReorgDecision.TooDeep(
        "block "
            + next.number()
            + " does not extend "
            + cursor.getBlockHash()
            + " and none of the "
            + recent.size()
            + " recent blocks is canonical: the fork is deeper than the reorg window"
            + " (a restarted dev chain? bin/openledger reset --yes starts chain and Kafka afresh)");
  }

  /**
   * The cursor after writing {@code written} (consecutive blocks, oldest first): it points at the
   * last one and keeps at most {@code window} recent blocks.
   */
  public static FollowerCursor advance(
      FollowerCursor cursor, List<RecentBlock> written, int window) {
    if (written.isEmpty()) {
      return cursor;
    }
    List<RecentBlock> recent = new ArrayList<>(cursor.getRecent());
    recent.addAll(written);
    List<RecentBlock> kept = recent.subList(Math.max(0, recent.size() - window), recent.size());
    RecentBlock last = written.get(written.size() - 1);
    return FollowerCursor.newBuilder(cursor)
        .setBlockNumber(last.getNumber())
        .setBlockHash(last.getHash())
        .setRecent(new ArrayList<>(kept))
        .build();
  }

  /** The cursor after retracting everything written after the common ancestor. */
  public static FollowerCursor rewind(FollowerCursor cursor, ReorgDecision.Rewind rewind) {
    List<RecentBlock> kept =
        cursor.getRecent().stream().filter(b -> b.getNumber() <= rewind.ancestorNumber()).toList();
    return FollowerCursor.newBuilder(cursor)
        .setBlockNumber(rewind.ancestorNumber())
        .setBlockHash(rewind.ancestorHash())
        .setRecent(new ArrayList<>(kept))
        .build();
  }
}
