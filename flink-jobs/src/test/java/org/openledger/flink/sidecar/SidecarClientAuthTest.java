package org.openledger.flink.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.RequestContext;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client sends the sidecar's token on every call, against an in-process Flight server that
 * records the {@code authorization} header of each call and refuses the wrong one as the sidecar
 * does.
 */
class SidecarClientAuthTest {

  private static final String TOKEN = "a-shared-token-0123456789";

  private final List<String> seen = new CopyOnWriteArrayList<>();
  private BufferAllocator allocator;
  private FlightServer server;
  private volatile String required;

  @BeforeEach
  void start() throws Exception {
    allocator = new RootAllocator();
    FlightServerMiddleware.Factory<FlightServerMiddleware> recorder =
        (CallInfo info, CallHeaders headers, RequestContext context) -> {
          String header = headers.get("authorization");
          seen.add(header == null ? "<none>" : header);
          if (required != null && !required.equals(header)) {
            throw CallStatus.UNAUTHENTICATED
                .withDescription("[unauthenticated] the sidecar requires the header")
                .toRuntimeException();
          }
          return new FlightServerMiddleware() {
            @Override
            public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {}

            @Override
            public void onCallCompleted(CallStatus status) {}

            @Override
            public void onCallErrored(Throwable err) {}
          };
        };
    NoOpFlightProducer producer =
        new NoOpFlightProducer() {
          @Override
          public void doAction(CallContext context, Action action, StreamListener<Result> out) {
            out.onNext(
                new Result("{\"status\":\"ok\",\"ready\":true}".getBytes(StandardCharsets.UTF_8)));
            out.onCompleted();
          }
        };
    server =
        FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", 0), producer)
            .middleware(FlightServerMiddleware.Key.of("recorder"), recorder)
            .build()
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    allocator.close();
  }

  private SidecarClient client(String token) {
    URI uri = URI.create("grpc+tcp://127.0.0.1:" + server.getPort());
    SidecarClient.Options options =
        SidecarClient.Options.defaults().withTimeout(Duration.ofSeconds(5));
    return new SidecarClient(allocator, uri, options, token);
  }

  @Test
  void shouldSendTheBearerTokenOnEveryCallWhenOneIsGiven() throws Exception {
    try (SidecarClient client = client(TOKEN)) {
      client.health();
      client.reset();
      assertThatThrownBy(
              () -> client.index(1, "hashing-ngram", true, List.of(IndexRow.text(1, 1, "w"))))
          .isInstanceOf(SidecarException.class); // the test server has no DoExchange
    }

    assertThat(seen).hasSize(3).containsOnly("Bearer " + TOKEN);
  }

  @Test
  void shouldSendNoAuthorizationHeaderWhenNoTokenIsGiven() throws Exception {
    try (SidecarClient client = client(null);
        SidecarClient blank = client("  ")) {
      client.health();
      blank.health();
    }

    assertThat(seen).containsExactly("<none>", "<none>");
  }

  @Test
  void shouldMapARefusedTokenToANonRetryableUnauthenticatedErrorWithoutTheToken() throws Exception {
    required = "Bearer " + TOKEN;
    String wrong = "not-the-shared-token-987654321";
    try (SidecarClient refused = client(wrong);
        SidecarClient accepted = client(TOKEN)) {
      assertThatThrownBy(refused::health)
          .isInstanceOf(SidecarException.Unauthenticated.class)
          .hasMessageContaining("[unauthenticated]")
          .hasMessageNotContaining(wrong)
          .matches(e -> !((SidecarException) e).retryable(), "not retryable");
      assertThat(accepted.health().ready()).isTrue();
    }

    assertThat(seen)
        .containsExactly("Bearer " + wrong, "Bearer " + TOKEN); // refused once, not retried
  }

  @Test
  void shouldRefuseATokenTheSidecarWouldRefuseWithoutPrintingIt() {
    for (String bad : List.of("short-token", "has a space but is long enough")) {
      assertThatThrownBy(() -> client(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining(bad);
    }
    assertThat(new BearerToken(TOKEN).toString()).doesNotContain(TOKEN);
  }
}
