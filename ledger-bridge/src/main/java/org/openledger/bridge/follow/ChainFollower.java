package org.openledger.bridge.follow;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.domain.follow.AdaptiveSpan;
import org.openledger.bridge.domain.follow.BlockRef;
import org.openledger.bridge.domain.follow.ReorgDecision;
import org.openledger.bridge.domain.follow.Reorgs;
import org.openledger.bridge.follow.RangeReader.Header;
import org.openledger.bridge.follow.RangeReader.Range;
import org.openledger.events.RawChainLog;
import org.openledger.pipeline.FollowerCursor;
import org.openledger.pipeline.RecentBlock;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the chain into Kafka exactly once. Each step reads a bounded range of blocks at least
 * {@code confirmations} deep, checks that it extends what was written (parent hashes), and writes
 * the range's logs with the new cursor in one Kafka transaction. On a reorg it writes, in one
 * transaction, a retraction of every log of the dropped blocks and the cursor at the ancestor. The
 * next range is read (and its records encoded) while the current one commits, and the range adapts
 * to the history's density and to what the node accepts ({@link AdaptiveSpan}).
 */
public final class ChainFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChainFollower.class);

  private final Chain chain;
  private final RangeReader ranges;
  private final FollowerConfig config;
  private final Producer<String, byte[]> producer;
  private final ConfluentAvroSerde<RawChainLog> rawSerde;
  private final ConfluentAvroSerde<FollowerCursor> cursorSerde;
  private final FollowerMetrics metrics;
  private final AdaptiveSpan span;
  private final RecentLogs recentLogs;
  private final ExecutorService reader;
  private Future<Range> ahead;
  private FollowerCursor cursor;

  public ChainFollower(
      Chain chain,
      Deployment deployment,
      FollowerConfig config,
      Producer<String, byte[]> producer,
      FollowerSerdes serdes,
      FollowerMetrics metrics,
      FollowerCursor cursor) {
    this.chain = chain;
    this.ranges = new RangeReader(chain, deployment, config, serdes.raw(), metrics);
    this.config = config;
    this.producer = producer;
    this.rawSerde = serdes.raw();
    this.cursorSerde = serdes.cursor();
    this.metrics = metrics;
    this.cursor = cursor;
    this.span =
        new AdaptiveSpan(
            Math.min(100, config.maxBlocksPerPoll()),
            config.maxBlocksPerPoll(),
            config.targetLogsPerTransaction());
    this.recentLogs = new RecentLogs(config.kafkaBootstrap(), config.rawTopic(), rawSerde);
    this.reader =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "follower-read-ahead");
              t.setDaemon(true);
              return t;
            });
    metrics.cursorBlock.set(cursor.getBlockNumber());
  }

  public FollowerCursor cursor() {
    return cursor;
  }

  /** One step; returns the number of blocks written (0 at the head, on a retry or a rewind). */
  public int step() throws IOException {
    long head = chain.web3().ethBlockNumber().send().getBlockNumber().longValueExact();
    long safe = head - config.confirmations();
    metrics.headLag.set(Math.max(0, head - cursor.getBlockNumber()));
    Range range = takeAhead(safe);
    if (safe <= cursor.getBlockNumber()) {
      return 0;
    }
    if (range == null) {
      range =
          ranges.read(
              cursor.getBlockNumber() + 1, Math.min(safe, cursor.getBlockNumber() + span.span()));
    }
    if (range.refused() != null) {
      if (!span.onRefused()) {
        throw new IOException("eth_getLogs failed: " + range.refused());
      }
      LOG.warn(
          "eth_getLogs refused {} blocks ({}); asking for {}",
          range.blocks(),
          range.refused(),
          span.span());
      return 0;
    }
    if (range.headers() == null || range.logs() == null) {
      return 0; // the chain moved while we read it: read again
    }
    List<Header> headers = range.headers();
    BlockRef first = headers.get(0).ref();
    if (!first.parentHash().equals(cursor.getBlockHash()) && !cursor.getBlockHash().isEmpty()) {
      ReorgDecision decision = Reorgs.decide(cursor, first, canonicalHashes());
      if (decision instanceof ReorgDecision.TooDeep deep) {
        throw new IllegalStateException(deep.reason());
      }
      if (decision instanceof ReorgDecision.Rewind rewind) {
        retract(rewind);
        return 0;
      }
    }
    span.onRead(range.blocks(), range.logCount());
    if (range.to() < safe) {
      // Read the next range while this one is sent and committed. It is checked like any read
      // when its turn comes (parent hash against the cursor then, reorg rules included), so it is
      // exactly what a read started at this moment would give.
      long from = range.to() + 1;
      long to = Math.min(safe, range.to() + span.span());
      ahead = reader.submit(() -> ranges.read(from, to));
    }
    Range written = range;
    commit(
        range.encoded(),
        offsets -> Reorgs.advance(cursor, recent(written, offsets), config.reorgWindow()));
    metrics.logsWritten.addAndGet(range.logCount());
    return headers.size();
  }

  /**
   * The range read ahead during the last commit, if it starts right after the cursor and is still
   * deep enough; waited for in every case, so no read runs while this thread encodes or rewinds.
   */
  private Range takeAhead(long safe) throws IOException {
    Future<Range> pending = ahead;
    ahead = null;
    if (pending == null) {
      return null;
    }
    Range r;
    try {
      r = pending.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading ahead", e);
    } catch (ExecutionException e) {
      LOG.debug("the read-ahead failed; reading again", e.getCause());
      return null;
    }
    return r.from() == cursor.getBlockNumber() + 1 && r.to() <= safe ? r : null;
  }

  /** Stops the read-ahead thread. */
  @Override
  public void close() {
    reader.shutdownNow();
  }

  /**
   * The range's blocks as the cursor keeps them: hashes, and where each block's logs sit in the raw
   * topic ({@code offsets}: the offset of each record sent, logs in block order first).
   */
  private static List<RecentBlock> recent(Range range, long[] offsets) {
    List<RecentBlock> blocks = new ArrayList<>();
    int at = 0;
    for (Header h : range.headers()) {
      int count = range.logs().getOrDefault(h.ref().number(), List.of()).size();
      blocks.add(
          RecentBlock.newBuilder()
              .setNumber(h.ref().number())
              .setHash(h.ref().hash())
              .setParentHash(h.ref().parentHash())
              .setLogs(new ArrayList<>())
              .setFirstOffset(count == 0 ? -1 : offsets[at])
              .setLogCount(count)
              .build());
      at += count;
    }
    return blocks;
  }

  /** Retracts every log of the dropped blocks, newest first, and rewinds the cursor. */
  private void retract(ReorgDecision.Rewind rewind) {
    List<RawChainLog> retractions = new ArrayList<>();
    Map<String, List<RawChainLog>> logsOf = recentLogs.of(rewind.dropped());
    for (RecentBlock dropped : rewind.dropped()) {
      List<RawChainLog> blockLogs = logsOf.get(dropped.getHash());
      for (int i = blockLogs.size() - 1; i >= 0; i--) {
        retractions.add(RawChainLog.newBuilder(blockLogs.get(i)).setRemoved(true).build());
      }
    }
    FollowerCursor rewound = Reorgs.rewind(cursor, rewind);
    commit(ranges.encode(retractions), offsets -> rewound);
    metrics.reorgs.incrementAndGet();
    metrics.compensations.addAndGet(retractions.size());
    LOG.warn(
        "reorg: {} blocks after {} dropped, {} logs retracted",
        rewind.dropped().size(),
        rewind.ancestorNumber(),
        retractions.size());
  }

  /** Writes records and the cursor atomically; read_committed readers see both or neither. */
  private void commit(
      List<ProducerRecord<String, byte[]>> records, Function<long[], FollowerCursor> cursorAfter) {
    FollowerCursor next;
    producer.beginTransaction();
    try {
      List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
      for (ProducerRecord<String, byte[]> r : records) {
        sent.add(producer.send(r));
      }
      // The cursor names the offsets its blocks' logs got: wait for them (still uncommitted).
      producer.flush();
      long[] offsets = new long[sent.size()];
      for (int i = 0; i < offsets.length; i++) {
        offsets[i] = offset(sent.get(i));
      }
      next = cursorAfter.apply(offsets);
      producer.send(
          new ProducerRecord<>(
              config.cursorTopic(), config.followerId(), cursorSerde.encode(next)));
      producer.commitTransaction();
    } catch (KafkaException e) {
      producer.abortTransaction();
      throw e;
    }
    cursor = next;
    metrics.cursorBlock.set(next.getBlockNumber());
  }

  private static long offset(Future<RecordMetadata> sent) {
    try {
      RecordMetadata m = sent.get();
      if (m.partition() != 0) {
        // Chain order is the raw topic's order, and the cursor's offsets are partition 0's.
        throw new IllegalStateException("the raw topic must have exactly one partition");
      }
      return m.offset();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while sending", e);
    } catch (ExecutionException e) {
      throw new KafkaException("a record of the transaction was not written", e.getCause());
    }
  }

  private Map<Long, String> canonicalHashes() throws IOException {
    Map<Long, String> canonical = new HashMap<>();
    List<RecentBlock> recent = cursor.getRecent();
    if (recent.isEmpty()) {
      return canonical;
    }
    for (Header h :
        ranges.headers(recent.get(0).getNumber(), recent.get(recent.size() - 1).getNumber())) {
      canonical.put(h.ref().number(), h.ref().hash());
    }
    return canonical;
  }
}
