package org.openledger.bridge.follow;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.openledger.bridge.chain.BlockHeaders;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.RawLogs;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.domain.follow.BlockRef;
import org.openledger.events.RawChainLog;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Reads a range of blocks for the follower: headers, the followed contracts' logs, and the raw
 * records ready to send. Apart from {@link ChainFollower} so a range can be read on another thread
 * while the previous one commits; it keeps no state between reads.
 */
final class RangeReader {

  private static final Logger LOG = LoggerFactory.getLogger(RangeReader.class);

  /** A header with the timestamp the raw records carry. */
  record Header(BlockRef ref, long timestamp) {}

  /** One read of blocks {@code from..to}; see {@link RangeReader#read}. */
  record Range(
      long from,
      long to,
      List<Header> headers,
      Map<Long, List<RawChainLog>> logs,
      List<ProducerRecord<String, byte[]>> encoded,
      int logCount,
      String refused) {

    long blocks() {
      return to - from + 1;
    }
  }

  private final Chain chain;
  private final BlockHeaders blockHeaders;
  private final List<String> addresses;
  private final Set<String> followed;
  private final String rawTopic;
  private final ConfluentAvroSerde<RawChainLog> rawSerde;
  private final FollowerMetrics metrics;

  RangeReader(
      Chain chain,
      Deployment deployment,
      FollowerConfig config,
      ConfluentAvroSerde<RawChainLog> rawSerde,
      FollowerMetrics metrics) {
    this.chain = chain;
    this.blockHeaders = new BlockHeaders(config.rpcUrl());
    this.addresses =
        deployment.contractAddresses().stream().map(a -> a.toLowerCase(Locale.ROOT)).toList();
    if (addresses.isEmpty()) {
      // eth_getLogs without addresses returns every contract's logs: never follow that.
      throw new IllegalArgumentException("the deployment names no contracts to follow");
    }
    this.followed = Set.copyOf(addresses);
    this.rawTopic = config.rawTopic();
    this.rawSerde = rawSerde;
    this.metrics = metrics;
  }

  /**
   * Reads blocks {@code from..to}: headers (parent hashes checked within the range), logs, and the
   * records ready to send (logs then the range's seal). Headers or logs null: the chain moved while
   * it was read; {@code refused}: the node answered getLogs with an error.
   */
  Range read(long from, long to) throws IOException {
    List<Header> headers = headers(from, to);
    for (int i = 1; i < headers.size(); i++) {
      if (!headers.get(i).ref().parentHash().equals(headers.get(i - 1).ref().hash())) {
        return new Range(from, to, null, null, List.of(), 0, null);
      }
    }
    EthLog response =
        chain
            .web3()
            .ethGetLogs(
                new EthFilter(
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(to)),
                    addresses))
            .send();
    if (response.hasError()) {
      return new Range(from, to, headers, null, List.of(), 0, response.getError().getMessage());
    }
    Map<Long, List<RawChainLog>> logs = logs(response, headers);
    if (logs == null) {
      return new Range(from, to, headers, null, List.of(), 0, null);
    }
    List<RawChainLog> records = new ArrayList<>();
    for (Header h : headers) {
      records.addAll(logs.getOrDefault(h.ref().number(), List.of()));
    }
    int count = records.size();
    Header last = headers.get(headers.size() - 1);
    records.add(
        RawLogs.seal(chain.chainId(), last.ref().number(), last.ref().hash(), last.timestamp()));
    return new Range(from, to, headers, logs, encode(records), count, null);
  }

  List<ProducerRecord<String, byte[]>> encode(List<RawChainLog> records) {
    List<ProducerRecord<String, byte[]>> encoded = new ArrayList<>(records.size());
    for (RawChainLog r : records) {
      encoded.add(new ProducerRecord<>(rawTopic, RawLogs.key(r), rawSerde.encode(r)));
    }
    return encoded;
  }

  List<Header> headers(long from, long to) throws IOException {
    List<Header> headers = new ArrayList<>();
    for (BlockHeaders.Header h : blockHeaders.range(from, to)) {
      headers.add(new Header(new BlockRef(h.number(), h.hash(), h.parentHash()), h.timestamp()));
    }
    return headers;
  }

  /** Logs of the range by block, or null when one belongs to a block hash we did not read. */
  private Map<Long, List<RawChainLog>> logs(EthLog response, List<Header> headers) {
    Map<Long, Header> byNumber = new HashMap<>();
    headers.forEach(h -> byNumber.put(h.ref().number(), h));
    Map<Long, List<RawChainLog>> logs = new HashMap<>();
    for (EthLog.LogResult<?> result : response.getLogs()) {
      Log log = (Log) result.get();
      if (!RawLogs.isFrom(log, followed)) {
        // The filter asked for the deployment's addresses only; a node that answers more is not
        // believed. The decoder would ignore such a log anyway; it never reaches the raw topic.
        metrics.foreignLogs.incrementAndGet();
        LOG.warn("eth_getLogs returned a log of {}, not a followed contract", log.getAddress());
        continue;
      }
      Header h = byNumber.get(log.getBlockNumber().longValueExact());
      if (h == null || !h.ref().hash().equalsIgnoreCase(log.getBlockHash())) {
        return null;
      }
      logs.computeIfAbsent(h.ref().number(), n -> new ArrayList<>())
          .add(RawLogs.of(log, chain.chainId(), h.timestamp(), false));
    }
    return logs;
  }
}
