package org.openledger.bridge.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.follow.FollowerConfig;
import org.openledger.bridge.settle.SettlementConfig;

class MetricsHostTest {

  // The dev node's public account 1 (given, so no mnemonic is derived here).
  private static final String SETTLER_KEY =
      "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

  @Test
  void shouldBindLoopbackUnlessOpenledgerHostSaysOtherwise() {
    assertThat(MetricsEndpoint.HOST.environmentVariable()).isEqualTo("OPENLEDGER_HOST");
    Map<String, String> local = Map.of("OPENLEDGER_SETTLER_KEY", SETTLER_KEY);
    assertThat(FollowerConfig.load(local).host()).isEqualTo("127.0.0.1");
    assertThat(SettlementConfig.load(local).host()).isEqualTo("127.0.0.1");

    Map<String, String> container =
        Map.of("OPENLEDGER_HOST", "0.0.0.0", "OPENLEDGER_SETTLER_KEY", SETTLER_KEY);
    assertThat(FollowerConfig.load(container).host()).isEqualTo("0.0.0.0");
    assertThat(SettlementConfig.load(container).host()).isEqualTo("0.0.0.0");
  }

  @Test
  void shouldRefuseAnEmptyHost() {
    assertThatThrownBy(() -> FollowerConfig.load(Map.of("OPENLEDGER_HOST", " ")))
        .hasMessageContaining("host=' ' (from environment OPENLEDGER_HOST) must not be empty");
  }

  @Test
  void shouldServeMetricsOnTheWildcardAddressForAContainer() throws Exception {
    MetricsEndpoint endpoint = new MetricsEndpoint(() -> "up 1\n");
    int port = endpoint.serve("0.0.0.0", 0);
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("up 1\n");
    } finally {
      endpoint.stop();
    }
  }
}
