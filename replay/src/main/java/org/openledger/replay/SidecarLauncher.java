package org.openledger.replay;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Replay's own sidecar: this checkout's sidecar code ({@code gpu-inference-sidecar/src}) started
 * from the project's venv on free loopback ports, empty, and stopped with replay. Replay trusts no
 * running sidecar of the operator's: it seeds its own from the chain. The NumPy backend is pinned
 * by default, so scores do not depend on the machine (a GPU's float order may differ).
 */
final class SidecarLauncher implements AutoCloseable {

  private final Process process;
  private final Thread stopOnExit;
  private final Path log;
  private final int flightPort;
  private final int httpPort;
  private boolean healthy;

  SidecarLauncher(Path python, Path sidecarSource, String backend)
      throws IOException, InterruptedException {
    flightPort = freePort();
    httpPort = freePort();
    log = Files.createTempFile("replay-sidecar-", ".log");
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
                backend)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    // Loopback only: no token (a token of the operator's environment is not replay's).
    builder.environment().remove("OPENLEDGER_SIDECAR_TOKEN");
    builder.environment().remove("OPENLEDGER_SIDECAR_TOKEN_FILE");
    builder.environment().put("PYTHONPATH", sidecarSource.toString());
    process = builder.start();
    // `watch` runs until SIGTERM: the JVM then runs its shutdown hooks, not our close(), and a
    // sidecar left running would outlive the process that started it.
    stopOnExit = new Thread(process::destroy, "replay-sidecar-stop");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    awaitHealthy();
  }

  URI flightUri() {
    return URI.create("grpc+tcp://127.0.0.1:" + flightPort);
  }

  private void awaitHealthy() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest health =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/healthz"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          healthy = true;
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(200);
    }
    close();
    throw new IOException("replay's sidecar did not become healthy; its log: " + log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Stops the sidecar; its log is kept only when it never became healthy (to read why). */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs (or ran) anyway
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      if (healthy) {
        Files.deleteIfExists(log);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // a temporary file left behind
    }
  }
}
