package org.openledger.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

  /**
   * Runs {@code bin/openledger} with the given arguments (e.g. {@code restart sidecar}) in the
   * test's environment, as an operator would; fails with its output when it exits non-zero.
   */
  public static void openledger(String... args) {
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.isExecutable(root.resolve("bin/openledger"))) {
      root = root.getParent();
    }
    if (root == null) {
      throw new IllegalStateException("no bin/openledger above " + Path.of("").toAbsolutePath());
    }
    List<String> command = new ArrayList<>(List.of(root.resolve("bin/openledger").toString()));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
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
