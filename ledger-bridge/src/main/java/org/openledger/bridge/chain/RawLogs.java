package org.openledger.bridge.chain;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.openledger.events.ChainPosition;
import org.openledger.events.RawChainLog;
import org.openledger.events.RawRecordKind;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * Turns a web3j log into the project's {@link RawChainLog}, unchanged but for canonical lowercase
 * hex, with its full chain position. The block timestamp comes from the block header the caller
 * already holds (logs do not carry it).
 */
public final class RawLogs {

  private static final String ZERO_HASH = "0x" + "0".repeat(64);

  private RawLogs() {}

  public static RawChainLog of(Log log, long chainId, long blockTimestamp, boolean removed) {
    ChainPosition position =
        ChainPosition.newBuilder()
            .setChainId(chainId)
            .setBlockNumber(log.getBlockNumber().longValueExact())
            .setBlockHash(log.getBlockHash().toLowerCase(Locale.ROOT))
            .setBlockTimestamp(blockTimestamp)
            .setTxHash(log.getTransactionHash().toLowerCase(Locale.ROOT))
            .setLogIndex(log.getLogIndex().intValueExact())
            .build();
    List<String> topics = log.getTopics().stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
    return RawChainLog.newBuilder()
        .setPosition(position)
        .setRemoved(removed)
        .setAddress(log.getAddress().toLowerCase(Locale.ROOT))
        .setTopics(topics)
        .setData(ByteBuffer.wrap(Numeric.hexStringToByteArray(log.getData())))
        .build();
  }

  /** Whether {@code log} was emitted by one of {@code addresses} (lowercase 0x-hex). */
  public static boolean isFrom(Log log, Set<String> addresses) {
    return log.getAddress() != null
        && addresses.contains(log.getAddress().toLowerCase(Locale.ROOT));
  }

  /**
   * The seal written after a block range: not a log, but the promise that every log of the blocks
   * up to {@code blockNumber} precedes it in the ordered raw topic.
   */
  public static RawChainLog seal(long chainId, long blockNumber, String blockHash, long timestamp) {
    ChainPosition position =
        ChainPosition.newBuilder()
            .setChainId(chainId)
            .setBlockNumber(blockNumber)
            .setBlockHash(blockHash.toLowerCase(Locale.ROOT))
            .setBlockTimestamp(timestamp)
            .setTxHash(ZERO_HASH)
            .setLogIndex(-1)
            .build();
    return RawChainLog.newBuilder()
        .setPosition(position)
        .setRemoved(false)
        .setAddress("")
        .setTopics(List.of())
        .setData(ByteBuffer.allocate(0))
        .setKind(RawRecordKind.SEAL)
        .build();
  }

  /** The record key: the event id, or {@code <blockHash>:seal} for a seal. */
  public static String key(RawChainLog r) {
    return r.getPosition().getBlockHash()
        + ":"
        + (r.getKind() == RawRecordKind.SEAL ? "seal" : r.getPosition().getLogIndex());
  }
}
