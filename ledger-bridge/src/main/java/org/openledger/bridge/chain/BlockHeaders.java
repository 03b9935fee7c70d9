package org.openledger.bridge.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fetches block headers in one JSON-RPC batch and reads only the fields following needs. The
 * follower reads a header for every block it passes; web3j's full block objects made that its
 * slowest step, so this reads the raw JSON instead.
 */
public final class BlockHeaders {

  /** What the follower needs of a header. */
  public record Header(long number, String hash, String parentHash, long timestamp) {}

  private final URI rpc;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  public BlockHeaders(String rpcUrl) {
    this.rpc = URI.create(rpcUrl);
  }

  /** Headers of blocks {@code from..to}, in order; an IOException if any is missing. */
  public List<Header> range(long from, long to) throws IOException {
    ArrayNode batch = json.createArrayNode();
    for (long n = from; n <= to; n++) {
      batch
          .addObject()
          .put("jsonrpc", "2.0")
          .put("id", n)
          .put("method", "eth_getBlockByNumber")
          .set("params", json.createArrayNode().add("0x" + Long.toHexString(n)).add(false));
    }
    HttpRequest request =
        HttpRequest.newBuilder(rpc)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(batch)))
            .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading headers", e);
    }
    JsonNode answers = json.readTree(response.body());
    if (!answers.isArray() || answers.size() != to - from + 1) {
      throw new IOException(
          "eth_getBlockByNumber batch answered " + answers.size() + " of " + (to - from + 1));
    }
    Header[] headers = new Header[(int) (to - from + 1)];
    for (JsonNode answer : answers) {
      JsonNode block = answer.get("result");
      if (block == null || block.isNull()) {
        throw new IOException("the node has no block " + answer.path("id").asLong() + " yet");
      }
      long number = Long.decode(block.get("number").asText());
      headers[(int) (number - from)] =
          new Header(
              number,
              block.get("hash").asText().toLowerCase(Locale.ROOT),
              block.get("parentHash").asText().toLowerCase(Locale.ROOT),
              Long.decode(block.get("timestamp").asText()));
    }
    return new ArrayList<>(List.of(headers));
  }
}
