package org.openledger.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;

/**
 * Where the real parts started by {@code bin/openledger up} answer, for integration tests. Reads
 * the variables that {@code bin/openledger test} exports (from {@code .run/endpoints.env}) and
 * falls back to the defaults of {@code bin/openledger.env}.
 */
public final class LocalStack {

  private LocalStack() {}

  public static String kafkaBootstrap() {
    return env("OPENLEDGER_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
  }

  public static URI registryUrl() {
    return URI.create(env("OPENLEDGER_REGISTRY_URL", "http://127.0.0.1:8085/apis/ccompat/v7"));
  }

  public static URI clickhouseUrl() {
    return URI.create(env("OPENLEDGER_CLICKHOUSE_URL", "http://127.0.0.1:8123"));
  }

  public static URI evmRpcUrl() {
    return URI.create(env("OPENLEDGER_EVM_RPC_URL", "http://127.0.0.1:8545"));
  }

  public static long evmChainId() {
    return Long.parseLong(env("OPENLEDGER_EVM_CHAIN_ID", "1337"));
  }

  public static URI sidecarFlightUri() {
    return URI.create(env("OPENLEDGER_SIDECAR_FLIGHT_URI", "grpc+tcp://127.0.0.1:8815"));
  }

  public static URI sidecarHttpUrl() {
    return URI.create(env("OPENLEDGER_SIDECAR_HTTP_URL", "http://127.0.0.1:8816"));
  }

  /** A TCP port free on loopback right now, for a server the test itself starts. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A name no other test run has used, for topics, subjects and tables. */
  public static String unique(String prefix) {
    return prefix + "-" + Long.toString(System.nanoTime(), 36);
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
