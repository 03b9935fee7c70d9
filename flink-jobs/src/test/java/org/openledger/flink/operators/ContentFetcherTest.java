package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.domain.Keccak;

/**
 * The fetcher's verification: content is used only when it is what the chain committed to and is
 * UTF-8 text; every problem becomes a failure reason on the record, never an exception.
 */
class ContentFetcherTest {

  @TempDir Path dir;

  private final ContentFetcher fetcher = new ContentFetcher(Duration.ofSeconds(2), 2, 1024);
  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void open() {
    fetcher.open(DefaultOpenContext.INSTANCE);
  }

  @AfterEach
  void close() {
    fetcher.close();
    if (server != null) {
      server.stop(0);
    }
  }

  private static ChainInput contribution(String uri, String hash) {
    return new ChainInput(
        ChainInput.Kind.CONTRIBUTION,
        false,
        1337,
        5,
        "0xb5",
        0,
        "0xt5",
        1_700_000_005L,
        "0xb5:0",
        1,
        1,
        "0xc1",
        null,
        false,
        hash,
        uri,
        0,
        0,
        0,
        null,
        null);
  }

  private Path file(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void shouldSetTheContentWhenTheFileMatchesItsCommitment() throws Exception {
    byte[] bytes = utf8("Fortune favours the bold. — ünïcødé");
    Path file = file("good.txt", bytes);

    ChainInput out =
        fetcher.fetchAndVerify(contribution(file.toUri().toString(), Keccak.hex(bytes)));

    assertThat(out.failure()).isNull();
    assertThat(out.content()).isEqualTo("Fortune favours the bold. — ünïcødé");
    assertThat(out.eventId()).isEqualTo("0xb5:0");
  }

  @Test
  void shouldAcceptTheCommitmentInUppercaseHex() throws Exception {
    byte[] bytes = utf8("Look before you leap.");
    Path file = file("upper.txt", bytes);
    String upper = "0x" + Keccak.hex(bytes).substring(2).toUpperCase();

    assertThat(fetcher.fetchAndVerify(contribution(file.toUri().toString(), upper)).content())
        .isEqualTo("Look before you leap.");
  }

  @Test
  void shouldFailWhenTheContentDoesNotMatchItsCommitment() throws Exception {
    Path file = file("tampered.txt", utf8("The early bird catches the worm."));
    String committed = Keccak.hex(utf8("The early bird catches the word."));

    ChainInput out = fetcher.fetchAndVerify(contribution(file.toUri().toString(), committed));

    assertThat(out.content()).isNull();
    assertThat(out.failure())
        .contains("content hash mismatch")
        .contains(committed)
        .contains(Keccak.hex(utf8("The early bird catches the worm.")));
  }

  @Test
  void shouldFailWithoutRetryingWhenTheFileDoesNotExist() {
    String uri = dir.resolve("nowhere.txt").toUri().toString();

    ChainInput out = fetcher.fetchAndVerify(contribution(uri, Keccak.hex(new byte[0])));

    assertThat(out.content()).isNull();
    assertThat(out.failure()).contains("no such file").contains(uri);
  }

  @Test
  void shouldFailWhenTheBytesAreNotUtf8() throws Exception {
    byte[] bytes = {(byte) 0xff, (byte) 0xfe, 'h', 'i'};
    Path file = file("binary.bin", bytes);

    ChainInput out =
        fetcher.fetchAndVerify(contribution(file.toUri().toString(), Keccak.hex(bytes)));

    assertThat(out.content()).isNull();
    assertThat(out.failure()).contains("not UTF-8");
  }

  @Test
  void shouldFailWhenTheContentIsBlank() throws Exception {
    byte[] bytes = utf8("  \n\t ");
    Path file = file("blank.txt", bytes);

    ChainInput out =
        fetcher.fetchAndVerify(contribution(file.toUri().toString(), Keccak.hex(bytes)));

    assertThat(out.content()).isNull();
    assertThat(out.failure()).contains("is empty");
  }

  @Test
  void shouldFailWhenTheContentIsLargerThanTheLimit() throws Exception {
    byte[] bytes = utf8("x".repeat(1025));
    Path file = file("large.txt", bytes);

    ChainInput out =
        fetcher.fetchAndVerify(contribution(file.toUri().toString(), Keccak.hex(bytes)));

    assertThat(out.failure()).contains("over 1024 bytes");
  }

  @Test
  void shouldFailNamingTheSchemeWhenItIsNotSupported() {
    ChainInput out =
        fetcher.fetchAndVerify(contribution("ftp://example.org/c.txt", Keccak.hex(new byte[0])));

    assertThat(out.content()).isNull();
    assertThat(out.failure()).contains("unsupported URI scheme").contains("'ftp'");
  }

  @Test
  void shouldFailWhenTheUriIsNotAUri() {
    ChainInput out = fetcher.fetchAndVerify(contribution("not a uri", Keccak.hex(new byte[0])));

    assertThat(out.failure()).startsWith("fetch of not a uri failed");
  }

  private String serve(int status, byte[] body) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/content/7";
  }

  @Test
  void shouldSetTheContentWhenHttpAnswers200WithTheCommittedBody() throws Exception {
    byte[] bytes = utf8("Too many cooks spoil the broth.");
    String uri = serve(200, bytes);

    ChainInput out = fetcher.fetchAndVerify(contribution(uri, Keccak.hex(bytes)));

    assertThat(out.failure()).isNull();
    assertThat(out.content()).isEqualTo("Too many cooks spoil the broth.");
  }

  @Test
  void shouldFailWithoutRetryingWhenHttpAnswers404() throws Exception {
    String uri = serve(404, utf8("not found"));

    ChainInput out = fetcher.fetchAndVerify(contribution(uri, Keccak.hex(new byte[0])));

    assertThat(out.content()).isNull();
    assertThat(out.failure()).contains("HTTP 404").contains(uri);
    assertThat(requests).hasValue(1);
  }

  @Test
  void shouldRetryAndThenFailWhenHttpAnswers503() throws Exception {
    String uri = serve(503, utf8("busy"));

    ChainInput out = fetcher.fetchAndVerify(contribution(uri, Keccak.hex(new byte[0])));

    assertThat(out.failure()).contains("HTTP 503");
    assertThat(requests).hasValue(2);
  }
}
