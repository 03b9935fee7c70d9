package org.openledger.flink.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(LocalStack.sidecarHttpUrl().resolve(path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
