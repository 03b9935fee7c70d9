package org.openledger.replay;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.openledger.bridge.chain.BlockHeaders;
import org.openledger.bridge.chain.RawLogs;
import org.openledger.bridge.decode.ChainEventDecoder;
import org.openledger.bridge.decode.DecodeResult;
import org.openledger.events.ChainEvent;
import org.openledger.events.ChainPosition;
import org.openledger.events.RawChainLog;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.http.HttpService;

/**
 * Reads the deployment's logs from an EVM node span by span and hands them on block by block,
 * decoded by the ledger bridge's own path ({@link RawLogs}, {@link ChainEventDecoder}), each block
 * closed by the seal the follower would write for it. Only one span's logs are held at a time.
 */
final class ChainLog implements AutoCloseable {

  /** One block's decoded events, in log order, and its seal's position. */
  interface BlockSink {
    void block(ChainPosition seal, List<ChainEvent> events) throws Exception;
  }

  /** After each block with logs and each span: how far the read got. */
  interface Progress {
    void read(long throughBlock, long head, long logs);
  }

  private final Web3j web3;
  private final BlockHeaders headers;
  private final List<String> addresses;
  private final Set<String> followed;
  private final ChainEventDecoder decoder;
  private final long span;
  private long undecodable;
  private java.util.function.Consumer<Log> rawLogs = log -> {};

  ChainLog(String rpcUrl, Map<String, String> addressesByName, long span) {
    this.web3 = Web3j.build(new HttpService(rpcUrl));
    this.headers = new BlockHeaders(rpcUrl);
    this.addresses =
        addressesByName.values().stream().map(a -> a.toLowerCase(Locale.ROOT)).sorted().toList();
    if (addresses.isEmpty()) {
      // eth_getLogs without addresses returns every contract's logs: never read that.
      throw new IllegalArgumentException("the deployment names no contracts");
    }
    this.followed = Set.copyOf(addresses);
    this.decoder = new ChainEventDecoder(addressesByName);
    this.span = span;
  }

  /**
   * Also hands every log of the deployment, as read (checked against its block's hash), to {@code
   * listener} before its block goes to the sink: {@code watch} reads proposals from them.
   */
  ChainLog rawLogs(java.util.function.Consumer<Log> listener) {
    this.rawLogs = listener;
    return this;
  }

  long chainId() throws IOException {
    return web3.ethChainId().send().getChainId().longValueExact();
  }

  long head() throws IOException {
    return web3.ethBlockNumber().send().getBlockNumber().longValueExact();
  }

  /** Logs the decoder could not decode (the pipeline dead-letters them; replay skips them too). */
  long undecodable() {
    return undecodable;
  }

  /**
   * Blocks {@code from..to}: each block with logs of the deployment, then a seal of {@code to}
   * itself, so every window ending by then can close.
   */
  void read(long chainId, long from, long to, BlockSink sink, Progress progress) throws Exception {
    long logs = 0;
    for (long start = from; start <= to; start += span) {
      long end = Math.min(to, start + span - 1);
      TreeMap<Long, List<Log>> byBlock = logs(start, end);
      Map<Long, BlockHeaders.Header> known = headersOf(byBlock.keySet());
      for (Map.Entry<Long, List<Log>> e : byBlock.entrySet()) {
        BlockHeaders.Header h = known.get(e.getKey());
        List<ChainEvent> events = new ArrayList<>();
        for (Log log : e.getValue()) {
          if (!log.getBlockHash().toLowerCase(Locale.ROOT).equals(h.hash())) {
            throw new IOException(
                "block " + h.number() + " changed while it was read (a reorg): replay again");
          }
          rawLogs.accept(log);
          RawChainLog raw = RawLogs.of(log, chainId, h.timestamp(), false);
          DecodeResult result = decoder.decode(raw);
          if (result instanceof DecodeResult.Decoded d) {
            events.add(ChainEvent.newBuilder().setEvent(d.event()).build());
          } else if (result instanceof DecodeResult.Failed) {
            undecodable++;
          }
          logs++;
        }
        sink.block(seal(chainId, h), events);
        progress.read(h.number(), to, logs);
      }
      if (end == to && !byBlock.containsKey(to)) {
        sink.block(seal(chainId, headers.range(to, to).get(0)), List.of());
      }
      progress.read(end, to, logs);
    }
  }

  private static ChainPosition seal(long chainId, BlockHeaders.Header h) {
    return RawLogs.seal(chainId, h.number(), h.hash(), h.timestamp()).getPosition();
  }

  private TreeMap<Long, List<Log>> logs(long from, long to) throws IOException {
    EthLog response =
        web3.ethGetLogs(
                new EthFilter(
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(to)),
                    addresses))
            .send();
    if (response.hasError()) {
      throw new IOException(
          "eth_getLogs " + from + ".." + to + ": " + response.getError().getMessage());
    }
    TreeMap<Long, List<Log>> byBlock = new TreeMap<>();
    for (EthLog.LogResult<?> result : response.getLogs()) {
      Log log = (Log) result.get();
      if (!RawLogs.isFrom(log, followed) || Boolean.TRUE.equals(log.isRemoved())) {
        continue; // a node answering more than it was asked is not believed
      }
      byBlock
          .computeIfAbsent(log.getBlockNumber().longValueExact(), b -> new ArrayList<>())
          .add(log);
    }
    byBlock.values().forEach(l -> l.sort((a, b) -> a.getLogIndex().compareTo(b.getLogIndex())));
    return byBlock;
  }

  /** Headers of the given blocks, fetched in runs of consecutive numbers. */
  private Map<Long, BlockHeaders.Header> headersOf(Set<Long> blocks) throws IOException {
    Map<Long, BlockHeaders.Header> out = new TreeMap<>();
    List<Long> sorted = new ArrayList<>(blocks);
    int i = 0;
    while (i < sorted.size()) {
      int j = i;
      while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1 && j - i < 255) {
        j++;
      }
      for (BlockHeaders.Header h : headers.range(sorted.get(i), sorted.get(j))) {
        out.put(h.number(), h);
      }
      i = j + 1;
    }
    return out;
  }

  @Override
  public void close() {
    web3.shutdown();
  }
}
