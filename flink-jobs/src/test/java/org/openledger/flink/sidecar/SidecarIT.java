package org.openledger.flink.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.openledger.testing.LocalStack;

/** The real sidecar process started by {@code bin/openledger up} answers over Flight and HTTP. */
class SidecarIT {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldReportHealthOverFlightAndReleaseAllArrowMemory() throws Exception {
    try (BufferAllocator allocator = new RootAllocator()) {
      try (SidecarClient client =
          new SidecarClient(allocator, LocalStack.sidecarFlightUri(), Duration.ofSeconds(10))) {
        SidecarHealth health = client.health();
        assertThat(health.alive()).isTrue();
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void shouldMapAnUnreachableSidecarToARetryableError() throws Exception {
    URI nobody = URI.create("grpc+tcp://127.0.0.1:" + LocalStack.freePort());
    try (BufferAllocator allocator = new RootAllocator();
        SidecarClient client = new SidecarClient(allocator, nobody, Duration.ofSeconds(2))) {
      assertThatThrownBy(client::health)
          .isInstanceOf(SidecarException.class)
          .matches(e -> ((SidecarException) e).retryable(), "retryable");
    }
  }

  @Test
  void shouldServeHealthAndPrometheusMetricsOverHttp() throws Exception {
    HttpResponse<String> health = get("/healthz");
    HttpResponse<String> metrics = get("/metrics");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"status\": \"ok\"");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("sidecar_ready");
  }

  @Test
  void shouldRefuseCallsWithoutTheTokenAndServeTheOnesThatCarryIt() throws Exception {
    String token = "it-shared-token-" + LocalStack.unique("t");
    try (SidecarProcess sidecar = new SidecarProcess(Map.of("OPENLEDGER_SIDECAR_TOKEN", token));
        BufferAllocator allocator = new RootAllocator()) {
      SidecarClient.Options options = SidecarClient.Options.defaults();
      try (SidecarClient anonymous = new SidecarClient(allocator, sidecar.flightUri(), options);
          SidecarClient wrong =
              new SidecarClient(allocator, sidecar.flightUri(), options, token + "-wrong");
          SidecarClient owner = new SidecarClient(allocator, sidecar.flightUri(), options, token)) {
        owner.index(1, "hashing-ngram", false, List.of(IndexRow.text(7, 1, "a stitch in time")));
        owner.registerModel(2, List.of(1L), "hashing-ngram");
        owner.ready();

        assertThatThrownBy(anonymous::reset).isInstanceOf(SidecarException.Unauthenticated.class);
        assertThatThrownBy(wrong::reset).isInstanceOf(SidecarException.Unauthenticated.class);
        assertThat(owner.health().ready()).isTrue(); // the refused resets changed nothing
        assertThat(owner.stats().path("indexes").get(0).path("rows").asInt()).isEqualTo(1);
        ScoreResult scored =
            owner.score(2, 1, 0.5, List.of(ScoreQuery.text(9, 5, "a stitch in time")));
        assertThat(scored.of(9).get(0).contributionId()).isEqualTo(7);
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(LocalStack.sidecarHttpUrl().resolve(path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
