package org.openledger.flink.sidecar;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openledger.testing.LocalStack;

/**
 * A sidecar process of its own for a test that must configure it (a token) or needs this checkout's
 * sidecar code rather than the shared stack's, on free loopback ports, from the project's venv
 * ({@code OPENLEDGER_LOCAL_DIR}, else {@code .local} of the repository); stopped by {@link
 * #close()}. The shared stack's sidecar is left alone.
 */
public final class SidecarProcess implements AutoCloseable {

  private final Process process;
  private final Path log;
  private final int flightPort = LocalStack.freePort();
  private final int httpPort = LocalStack.freePort();

  public SidecarProcess(Map<String, String> environment) throws IOException, InterruptedException {
    Path root = repositoryRoot();
    String local = System.getenv("OPENLEDGER_LOCAL_DIR");
    Path python =
        Path.of(local == null || local.isBlank() ? root.resolve(".local").toString() : local)
            .resolve("venv/bin/python");
    log = Files.createTempFile("sidecar-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                python.toString(),
                "-m",
                "openledger_sidecar",
                "--host",
                "127.0.0.1",
                "--flight-port",
                Integer.toString(flightPort),
                "--http-port",
                Integer.toString(httpPort),
                "--backend",
                "numpy",
                "--memory-limit",
                "256M")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().remove("OPENLEDGER_SIDECAR_TOKEN");
    builder.environment().remove("OPENLEDGER_SIDECAR_TOKEN_FILE");
    builder.environment().put("PYTHONPATH", root.resolve("gpu-inference-sidecar/src").toString());
    builder.environment().putAll(environment);
    process = builder.start();
    awaitHealthy();
  }

  public URI flightUri() {
    return URI.create("grpc+tcp://127.0.0.1:" + flightPort);
  }

  private void awaitHealthy() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest health =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/healthz"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(200);
    }
    close();
    throw new IllegalStateException("the sidecar did not start:\n" + Files.readString(log));
  }

  private static Path repositoryRoot() {
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.isDirectory(root.resolve("gpu-inference-sidecar/src"))) {
      root = root.getParent();
    }
    if (root == null) {
      throw new IllegalStateException(
          "no gpu-inference-sidecar above " + Path.of("").toAbsolutePath());
    }
    return root;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
