package org.openledger.flink.attribution;

import java.util.Arrays;
import org.openledger.flink.domain.Lifecycle;

/**
 * A contribution as the job's state holds it: enough to re-seed the sidecar after a restart
 * (content, Datanet, start block) and to know whether it still earns (closing events by id).
 */
public record Contribution(
    long id,
    long datanetId,
    String contributor,
    long fromBlock,
    String eventId,
    String content,
    boolean duplicate,
    String[] closerIds,
    long[] closerBlocks) {

  public static Contribution of(ChainInput input) {
    return new Contribution(
        input.id(),
        input.datanetId(),
        input.address(),
        input.block(),
        input.eventId(),
        input.content(),
        false,
        new String[0],
        new long[0]);
  }

  /** Kept without its text: never indexed, so it never earns (and re-seeding skips it). */
  public Contribution withoutContent() {
    return new Contribution(
        id, datanetId, contributor, fromBlock, eventId, null, duplicate, closerIds, closerBlocks);
  }

  public Contribution flaggedDuplicate() {
    return new Contribution(
        id, datanetId, contributor, fromBlock, eventId, content, true, closerIds, closerBlocks);
  }

  public Contribution withCloser(String closerId, long block) {
    Contribution without = withoutCloser(closerId);
    String[] ids = Arrays.copyOf(without.closerIds, without.closerIds.length + 1);
    long[] blocks = Arrays.copyOf(without.closerBlocks, without.closerBlocks.length + 1);
    ids[ids.length - 1] = closerId;
    blocks[blocks.length - 1] = block;
    return new Contribution(
        id, datanetId, contributor, fromBlock, eventId, content, duplicate, ids, blocks);
  }

  public Contribution withoutCloser(String closerId) {
    int n = 0;
    String[] ids = new String[closerIds.length];
    long[] blocks = new long[closerBlocks.length];
    for (int i = 0; i < closerIds.length; i++) {
      if (!closerIds[i].equals(closerId)) {
        ids[n] = closerIds[i];
        blocks[n++] = closerBlocks[i];
      }
    }
    return new Contribution(
        id,
        datanetId,
        contributor,
        fromBlock,
        eventId,
        content,
        duplicate,
        Arrays.copyOf(ids, n),
        Arrays.copyOf(blocks, n));
  }

  /** Where the active interval ends, as {@link Lifecycle} rules; -1 while open. */
  public long closedAt() {
    return Lifecycle.closedAt(closerBlocks, duplicate, fromBlock).orElse(-1);
  }
}
