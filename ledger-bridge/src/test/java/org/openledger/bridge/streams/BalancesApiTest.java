package org.openledger.bridge.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BalancesApiTest {

  private static final String ALICE = "0x00000000000000000000000000000000000000a1";

  private final BalancesApi api =
      new BalancesApi(
          new BalancesApi.Views() {
            @Override
            public Optional<Balance> balance(String address) {
              return address.equals(ALICE)
                  ? Optional.of(
                      new Balance(new BigInteger("123456789012345678901234567890"), BigInteger.TEN))
                  : Optional.empty();
            }

            @Override
            public Optional<ModelView> model(long id) {
              return id == 7 ? Optional.of(new ModelView(7, 2, "30", "6")) : Optional.empty();
            }

            @Override
            public Optional<DatanetView> datanet(long id) {
              return id == 1
                  ? Optional.of(DatanetView.created(1, "science", ALICE, BigInteger.ONE))
                  : Optional.empty();
            }
          },
          () -> "decoder_records_ignored_total 0\n");
  private final HttpClient http = HttpClient.newHttpClient();
  private int port;

  @BeforeEach
  void start() throws Exception {
    port = api.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    api.stop();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldServeExactBalancesAsDecimalStrings() throws Exception {
    HttpResponse<String> response = get("/balances/" + ALICE.toUpperCase().replace("0X", "0x"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.body())
        .contains("\"accruedWei\":\"123456789012345678901234567890\"")
        .contains("\"settledWei\":\"10\"")
        .contains("\"pendingWei\":\"123456789012345678901234567880\"");
  }

  @Test
  void shouldAnswer400ForMalformedKeysAnd404ForUnknownOnes() throws Exception {
    assertThat(get("/balances/0x123").statusCode()).isEqualTo(400);
    assertThat(get("/balances/0x123").body()).contains("not an address");
    assertThat(get("/balances/0x00000000000000000000000000000000000000ff").statusCode())
        .isEqualTo(404);
    assertThat(get("/datanets/abc").statusCode()).isEqualTo(400);
    assertThat(get("/datanets/2").statusCode()).isEqualTo(404);
    assertThat(get("/datanets/1").body()).contains("\"name\":\"science\"");
    assertThat(get("/nowhere").statusCode()).isEqualTo(404);
    assertThat(get("/models/7").body())
        .contains("\"feesPaidWei\":\"30\"")
        .contains("\"inferences\":2");
    assertThat(get("/models/8").statusCode()).isEqualTo(404);
    assertThat(get("/models/x").statusCode()).isEqualTo(400);
    assertThat(get("/metrics").body()).contains("decoder_records_ignored_total");
  }

  @Test
  void shouldRefuseAnythingButGet() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/balances/" + ALICE))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(405);
  }
}
