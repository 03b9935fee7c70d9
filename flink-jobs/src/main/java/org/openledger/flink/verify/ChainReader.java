package org.openledger.flink.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openledger.flink.domain.Keccak;

/**
 * Reads {@code BatchSettled} events straight from an EVM node over JSON-RPC ({@code eth_getLogs})
 * and decodes them by hand: the verifier trusts the chain, not the pipeline.
 */
final class ChainReader {

  static final String BATCH_SETTLED_TOPIC =
      Keccak.hex(
          "BatchSettled(bytes32,bytes32,uint256,address[],uint256[])"
              .getBytes(StandardCharsets.US_ASCII));

  static final String INFERENCE_PAID_TOPIC =
      Keccak.hex(
          "InferencePaid(uint256,uint256,address,uint256,bytes32,string)"
              .getBytes(StandardCharsets.US_ASCII));

  /** One {@code BatchSettled} as the chain recorded it. */
  record Settled(
      String batchId,
      String root,
      BigInteger total,
      List<String> payees,
      List<BigInteger> amounts,
      long block,
      String txHash) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final URI rpc;

  ChainReader(URI rpc) {
    this.rpc = rpc;
  }

  /** Every {@code BatchSettled} of {@code settlement}, optionally only of one batch id. */
  List<Settled> settled(String settlement, String batchId)
      throws IOException, InterruptedException {
    List<Object> topics = new ArrayList<>();
    topics.add(BATCH_SETTLED_TOPIC);
    if (batchId != null) {
      topics.add(batchId.toLowerCase(java.util.Locale.ROOT));
    }
    Map<String, Object> filter =
        Map.of(
            "fromBlock", "earliest", "toBlock", "latest", "address", settlement, "topics", topics);
    JsonNode result = call("eth_getLogs", List.of(filter));
    List<Settled> out = new ArrayList<>();
    for (JsonNode log : result) {
      out.add(decode(log));
    }
    return out;
  }

  /**
   * The fee of inference {@code inferenceId} as {@code InferencePaid} of {@code market} recorded it
   * (its first data word), or null when the chain has none.
   */
  InferenceVerifier.Paid inferencePaid(String market, long inferenceId)
      throws IOException, InterruptedException {
    String id = String.format("0x%064x", inferenceId);
    Map<String, Object> filter =
        Map.of(
            "fromBlock",
            "earliest",
            "toBlock",
            "latest",
            "address",
            market,
            "topics",
            List.of(INFERENCE_PAID_TOPIC, id));
    JsonNode result = call("eth_getLogs", List.of(filter));
    if (result.isEmpty()) {
      return null;
    }
    JsonNode log = result.get(result.size() - 1);
    return new InferenceVerifier.Paid(
        word(log, 0),
        Long.decode(log.get("blockNumber").asText()),
        log.get("transactionHash").asText());
  }

  /**
   * Blocks per {@code eth_getLogs} call of {@link #forEachLog}: an hour at load is some 600,000
   * InferencePaid logs, which as one answer outgrew a 2 GB heap (the soak's first run).
   */
  static final long LOG_PAGE_BLOCKS = 500;

  /** Every log of {@code address} whose first topic is {@code topic0}, on the chain as it is. */
  JsonNode logs(String address, String topic0) throws IOException, InterruptedException {
    com.fasterxml.jackson.databind.node.ArrayNode out = JSON.createArrayNode();
    forEachLog(address, List.of(topic0), out::add);
    return out;
  }

  /**
   * Hands each log of {@code address} matching {@code topics} (eth_getLogs' topic filter) to {@code
   * each}, in chain order, reading {@link #LOG_PAGE_BLOCKS} blocks at a time up to the head as it
   * is when the scan starts, so no answer holds the whole chain.
   */
  void forEachLog(String address, List<Object> topics, java.util.function.Consumer<JsonNode> each)
      throws IOException, InterruptedException {
    long head = Long.decode(call("eth_blockNumber", List.of()).asText());
    for (long from = 0; from <= head; from += LOG_PAGE_BLOCKS) {
      long to = Math.min(head, from + LOG_PAGE_BLOCKS - 1);
      JsonNode page =
          call(
              "eth_getLogs",
              List.of(
                  Map.of(
                      "fromBlock",
                      "0x" + Long.toHexString(from),
                      "toBlock",
                      "0x" + Long.toHexString(to),
                      "address",
                      address,
                      "topics",
                      topics)));
      page.forEach(each);
    }
  }

  /** The {@code index}-th 32-byte word of a log's data. */
  static BigInteger word(JsonNode log, int index) {
    return new BigInteger(word(log.get("data").asText().substring(2), index), 16);
  }

  /** The ABI-encoded string whose offset is the {@code index}-th word of a log's data. */
  static String string(JsonNode log, int index) {
    String data = log.get("data").asText().substring(2);
    int at = new BigInteger(word(data, index), 16).intValueExact() * 2;
    int length = new BigInteger(data.substring(at, at + 64), 16).intValueExact();
    return new String(
        java.util.HexFormat.of().parseHex(data.substring(at + 64, at + 64 + 2 * length)),
        StandardCharsets.UTF_8);
  }

  private JsonNode call(String method, List<Object> params)
      throws IOException, InterruptedException {
    byte[] body =
        JSON.writeValueAsBytes(
            Map.of("jsonrpc", "2.0", "id", 1, "method", method, "params", params));
    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(rpc)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    JsonNode json = JSON.readTree(response.body());
    if (json.has("error")) {
      throw new IOException(method + " failed: " + json.get("error"));
    }
    return json.get("result");
  }

  /**
   * The data of {@code BatchSettled}: root, total, then two dynamic arrays (offsets, lengths,
   * 32-byte words), as Solidity's ABI lays them out.
   */
  static Settled decode(JsonNode log) {
    String data = log.get("data").asText().substring(2);
    String root = "0x" + word(data, 0);
    BigInteger total = new BigInteger(word(data, 0 + 1), 16);
    int payeesAt = new BigInteger(word(data, 2), 16).intValueExact() / 32;
    int amountsAt = new BigInteger(word(data, 3), 16).intValueExact() / 32;
    List<String> payees = new ArrayList<>();
    int n = new BigInteger(word(data, payeesAt), 16).intValueExact();
    for (int i = 0; i < n; i++) {
      payees.add("0x" + word(data, payeesAt + 1 + i).substring(24));
    }
    List<BigInteger> amounts = new ArrayList<>();
    int m = new BigInteger(word(data, amountsAt), 16).intValueExact();
    for (int i = 0; i < m; i++) {
      amounts.add(new BigInteger(word(data, amountsAt + 1 + i), 16));
    }
    return new Settled(
        log.get("topics").get(1).asText(),
        root,
        total,
        payees,
        amounts,
        Long.decode(log.get("blockNumber").asText()),
        log.get("transactionHash").asText());
  }

  private static String word(String hex, int index) {
    return hex.substring(64 * index, 64 * (index + 1));
  }
}
