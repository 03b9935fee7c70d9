package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openledger.flink.operators.ContentFetcherTest.contribution;
import static org.openledger.flink.operators.ContentFetcherTest.fetch;
import static org.openledger.flink.operators.ContentFetcherTest.utf8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openledger.flink.AttributionJob;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.domain.FetchPolicy;
import org.openledger.flink.domain.HostResolver;
import org.openledger.flink.domain.Keccak;

/**
 * The fetcher on HTTP against a local server: loopback (and names resolving to it) is denied unless
 * allow-listed, redirects are re-checked, the body is capped while read and cut at the deadline, no
 * decompression, and timing (a dripping body, 503) is retried, never dead-lettered.
 */
class ContentFetcherHttpTest {

  private static final byte[] BODY = utf8("Too many cooks spoil the broth.");
  private static final String HASH = Keccak.hex(BODY);
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private HttpServer server;
  private ContentFetcher fetcher;
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final Map<String, String> acceptEncoding = new ConcurrentHashMap<>();

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
    server.setExecutor(Executors.newCachedThreadPool(r -> daemon(new Thread(r))));
    route("/content", ex -> send(ex, 200, BODY));
    route("/missing", ex -> send(ex, 404, utf8("not found")));
    route("/secret", ex -> send(ex, 200, utf8("internal")));
    route("/to-secret", ex -> redirect(ex, "http://127.0.0.1:" + port() + "/secret"));
    route("/to-content", ex -> redirect(ex, "/content"));
    route("/to-file", ex -> redirect(ex, "file:///etc/passwd"));
    route("/gzip", ex -> send(ex, 200, BODY, "Content-Encoding", "gzip"));
    route("/busy-once", ex -> send(ex, hits.get("/busy-once").get() == 1 ? 503 : 200, BODY));
    route("/busy", ex -> send(ex, 503, utf8("busy")));
    route("/huge", ex -> stream(ex, -1, 10 << 20));
    route("/huge-declared", ex -> stream(ex, 10 << 20, 10 << 20));
    route("/drip", this::drip);
    server.start();
  }

  @AfterEach
  void stop() {
    if (fetcher != null) {
      fetcher.close();
    }
    server.stop(0);
  }

  private interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  private void route(String path, Handler handler) {
    hits.put(path, new AtomicInteger());
    server.createContext(
        path,
        ex -> {
          hits.get(path).incrementAndGet();
          acceptEncoding.put(
              path, String.valueOf(ex.getRequestHeaders().getFirst("Accept-Encoding")));
          try (ex) {
            handler.handle(ex);
          }
        });
  }

  private static Thread daemon(Thread t) {
    t.setDaemon(true);
    return t;
  }

  private int port() {
    return server.getAddress().getPort();
  }

  private String at(String host, String path) {
    return "http://" + host + ":" + port() + path;
  }

  private static void send(HttpExchange ex, int status, byte[] body, String... header)
      throws IOException {
    for (int i = 0; i < header.length; i += 2) {
      ex.getResponseHeaders().add(header[i], header[i + 1]);
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static void redirect(HttpExchange ex, String location) throws IOException {
    ex.getResponseHeaders().add("Location", location);
    ex.sendResponseHeaders(302, -1);
  }

  private static void stream(HttpExchange ex, long declared, int bytes) throws IOException {
    ex.sendResponseHeaders(200, declared < 0 ? 0 : declared);
    byte[] chunk = new byte[64 << 10];
    try (OutputStream out = ex.getResponseBody()) {
      for (int sent = 0; sent < bytes; sent += chunk.length) {
        out.write(chunk);
      }
    } catch (IOException e) {
      // the client hung up once it had enough: expected
    }
  }

  /** Headers at once, then one byte a second: only a deadline over the body stops it. */
  private void drip(HttpExchange ex) throws IOException {
    ex.sendResponseHeaders(200, 100);
    OutputStream out = ex.getResponseBody();
    try {
      for (int i = 0; i < 100; i++) {
        out.write('x');
        out.flush();
        Thread.sleep(1000);
      }
    } catch (IOException | InterruptedException e) {
      // cut by the client
    }
  }

  private ContentFetcher open(String allow, int redirects, Duration deadline, HostResolver dns) {
    return open(FetchPolicy.of("https,http", "", allow, redirects), deadline, Duration.ZERO, dns);
  }

  private ContentFetcher open(
      FetchPolicy policy, Duration deadline, Duration giveUp, HostResolver dns) {
    fetcher =
        new ContentFetcher(
            new AttributionJob.Fetching(
                policy, deadline, 1024, 4, Duration.ofMillis(20), Duration.ofMillis(100), giveUp),
            dns);
    fetcher.open(DefaultOpenContext.INSTANCE);
    return fetcher;
  }

  private ContentFetcher production() {
    return open("", 0, Duration.ofSeconds(2), HostResolver.system());
  }

  private ContentFetcher allowingLoopback(int redirects) {
    return open("127.0.0.1/32", redirects, Duration.ofSeconds(2), HostResolver.system());
  }

  /** Resolves {@code name} to loopback and counts how often it is asked. */
  private static HostResolver toLoopback(String name, AtomicInteger lookups) {
    return host -> {
      lookups.incrementAndGet();
      if (host.equals(name)) {
        return List.of(InetAddress.getByName("127.0.0.1"));
      }
      throw new java.net.UnknownHostException(host);
    };
  }

  @Test
  void shouldDenyLoopbackWithoutConnectingWhenTheAllowListDoesNotNameIt() throws Exception {
    ChainInput out = fetch(production(), contribution(at("127.0.0.1", "/content"), HASH));

    assertThat(out.failure()).isEqualTo("uri denied by fetch policy: host not allowed");
    assertThat(hits.get("/content")).hasValue(0);
  }

  @Test
  void shouldFetchFromLoopbackWhenTheAllowListNamesIt() throws Exception {
    ChainInput out = fetch(allowingLoopback(0), contribution(at("127.0.0.1", "/content"), HASH));

    assertThat(out.failure()).isNull();
    assertThat(out.content()).isEqualTo("Too many cooks spoil the broth.");
    assertThat(acceptEncoding.get("/content")).isEqualTo("identity");
  }

  @Test
  void shouldDenyLocalhostByItsResolvedAddress() throws Exception {
    ChainInput out = fetch(production(), contribution(at("localhost", "/content"), HASH));

    assertThat(out.failure()).isEqualTo("uri denied by fetch policy: host not allowed");
    assertThat(hits.get("/content")).hasValue(0);
  }

  @Test
  void shouldDenyANameThatResolvesToLoopbackCheckingTheAddressItWouldConnectTo() throws Exception {
    AtomicInteger lookups = new AtomicInteger();
    open("", 0, Duration.ofSeconds(2), toLoopback("content.example", lookups));

    ChainInput out = fetch(fetcher, contribution(at("content.example", "/content"), HASH));

    assertThat(out.failure()).isEqualTo("uri denied by fetch policy: host not allowed");
    assertThat(hits.get("/content")).hasValue(0);
    assertThat(lookups).hasValue(1); // one lookup: checked and connected addresses are the same
  }

  @Test
  void shouldFetchANameTheAllowListNamesWhereverItResolves() throws Exception {
    open(
        "content.example",
        0,
        Duration.ofSeconds(2),
        toLoopback("content.example", new AtomicInteger()));

    ChainInput out = fetch(fetcher, contribution(at("content.example", "/content"), HASH));

    assertThat(out.content()).isEqualTo("Too many cooks spoil the broth.");
  }

  @Test
  void shouldDenyANameWhenAnyOfItsAddressesIsDenied() throws Exception {
    open(
        "",
        0,
        Duration.ofSeconds(2),
        host -> List.of(InetAddress.getByName("8.8.8.8"), InetAddress.getByName("127.0.0.1")));

    assertThat(fetch(fetcher, contribution(at("mixed.example", "/content"), HASH)).failure())
        .isEqualTo("uri denied by fetch policy: host not allowed");
  }

  @Test
  void shouldDenyARedirectToLoopbackFromAnAllowedHost() throws Exception {
    open(
        "content.example",
        3,
        Duration.ofSeconds(2),
        toLoopback("content.example", new AtomicInteger()));

    ChainInput out = fetch(fetcher, contribution(at("content.example", "/to-secret"), HASH));

    assertThat(out.failure()).isEqualTo("uri denied by fetch policy: host not allowed");
    assertThat(hits.get("/to-secret")).hasValue(1);
    assertThat(hits.get("/secret")).hasValue(0);
  }

  @Test
  void shouldDenyRedirectsWhenNoneAreAllowed() throws Exception {
    ChainInput out = fetch(allowingLoopback(0), contribution(at("127.0.0.1", "/to-content"), HASH));

    assertThat(out.failure()).isEqualTo("uri denied by fetch policy: redirect not allowed");
    assertThat(hits.get("/content")).hasValue(0);
  }

  @Test
  void shouldFollowAnAllowedRedirectOnTheSameScheme() throws Exception {
    ChainInput out = fetch(allowingLoopback(1), contribution(at("127.0.0.1", "/to-content"), HASH));

    assertThat(out.content()).isEqualTo("Too many cooks spoil the broth.");
  }

  @Test
  void shouldDenyARedirectToAnotherScheme() throws Exception {
    ChainInput out = fetch(allowingLoopback(3), contribution(at("127.0.0.1", "/to-file"), HASH));

    assertThat(out.failure())
        .isEqualTo("uri denied by fetch policy: redirect to another scheme not allowed");
  }

  @Test
  void shouldRejectWithoutRetryingWhenHttpAnswers404() throws Exception {
    ChainInput out = fetch(allowingLoopback(0), contribution(at("127.0.0.1", "/missing"), HASH));

    assertThat(out.failure()).isEqualTo("HTTP 404");
    assertThat(hits.get("/missing")).hasValue(1);
  }

  @Test
  void shouldRefuseAGzipContentEncoding() throws Exception {
    ChainInput out = fetch(allowingLoopback(0), contribution(at("127.0.0.1", "/gzip"), HASH));

    assertThat(out.failure()).isEqualTo("content encoding 'gzip' not allowed");
  }

  @Test
  void shouldRejectAnOversizedBodyWhileReadingIt() throws Exception {
    ContentFetcher f = allowingLoopback(0);
    long started = System.nanoTime();

    assertThat(fetch(f, contribution(at("127.0.0.1", "/huge"), HASH)).failure())
        .isEqualTo("content over 1024 bytes");
    assertThat(fetch(f, contribution(at("127.0.0.1", "/huge-declared"), HASH)).failure())
        .isEqualTo("content over 1024 bytes");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void shouldRetryA503AndDeliverTheContentThatFollows() throws Exception {
    ContentFetcher f = allowingLoopback(0);

    ChainInput out = fetch(f, contribution(at("127.0.0.1", "/busy-once"), HASH));

    assertThat(out.content()).isEqualTo("Too many cooks spoil the broth.");
    assertThat(hits.get("/busy-once")).hasValue(2);
    assertThat(f.retries()).isEqualTo(1);
    assertThat(f.waiting()).isZero();
  }

  @Test
  void shouldCutADrippingServerAtTheDeadlineAsTransientNotRejected() throws Exception {
    open("127.0.0.1/32", 0, Duration.ofMillis(1500), HostResolver.system());
    ChainInput in = contribution(at("127.0.0.1", "/drip"), HASH);
    long started = System.nanoTime();

    ContentAttempts.Outcome once = fetcher.attempt(in);

    assertThat(once).isEqualTo(new ContentAttempts.Outcome.Transient("timed out"));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
    ContentFetcherTest.Captured captured = new ContentFetcherTest.Captured();
    fetcher.asyncInvoke(in, captured);
    Thread.sleep(2_500);
    assertThat(captured.get()).isNotDone(); // waiting for the content, not dead-lettered
    assertThat(fetcher.retries()).isPositive();
    assertThat(fetcher.waiting()).isEqualTo(1);
  }

  @Test
  void shouldKeepRetryingAndNeverRejectWhileTheServerAnswers503() throws Exception {
    ContentFetcher f = allowingLoopback(0);
    ContentFetcherTest.Captured captured = new ContentFetcherTest.Captured();

    f.asyncInvoke(contribution(at("127.0.0.1", "/busy"), HASH), captured);
    f.timeout(contribution(at("127.0.0.1", "/busy"), HASH), captured); // Flink's timer: no verdict
    Thread.sleep(1_000);

    assertThat(captured.get()).isNotDone();
    assertThat(hits.get("/busy").get()).isGreaterThanOrEqualTo(4);
    assertThat(f.waiting()).isEqualTo(1);
  }

  @Test
  void shouldGiveUpWithATimingDependentReasonOnlyWhenConfiguredTo() throws Exception {
    open(
        FetchPolicy.of("http", "", "127.0.0.1", 0),
        Duration.ofSeconds(2),
        Duration.ofMillis(300),
        HostResolver.system());

    ChainInput out = fetch(fetcher, contribution(at("127.0.0.1", "/busy"), HASH));

    assertThat(out.failure()).contains("HTTP 503").contains("timing-dependent");
    assertThat(fetcher.waiting()).isZero();
  }

  @Test
  void shouldNotConnectWhereTheSocketGuardSaysNo() {
    GuardedSocketFactory guard = new GuardedSocketFactory(a -> false);

    assertThatThrownBy(
            () -> {
              try (Socket s = guard.createSocket()) {
                s.connect(new InetSocketAddress(LOOPBACK, port()), 1000);
              }
            })
        .isInstanceOf(GuardedSocketFactory.DeniedConnect.class);
  }
}
