package org.openledger.flink.sidecar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Iterator;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The Flink jobs' Arrow Flight client to the GPU inference sidecar: one reused connection, a
 * deadline on every call, and sidecar errors mapped to {@link SidecarException}. It borrows the
 * caller's allocator so Arrow memory is accounted (and leak-checked) where it is used.
 */
public final class SidecarClient implements AutoCloseable {

  private final FlightClient client;
  private final Duration timeout;
  private final ObjectMapper json = new ObjectMapper();

  public SidecarClient(BufferAllocator allocator, URI flightUri, Duration timeout) {
    this.client = FlightClient.builder(allocator, new Location(flightUri)).build();
    this.timeout = timeout;
  }

  /** Asks the sidecar whether it is alive and ready to score. */
  public SidecarHealth health() {
    JsonNode doc = action("health");
    return new SidecarHealth(doc.path("status").asText(""), doc.path("ready").asBoolean(false));
  }

  private JsonNode action(String type) {
    try {
      Iterator<Result> results =
          client.doAction(
              new Action(type),
              CallOptions.timeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
      if (!results.hasNext()) {
        throw new SidecarException("sidecar returned no result for action " + type, false, null);
      }
      byte[] body = results.next().getBody();
      while (results.hasNext()) {
        results.next();
      }
      return json.readTree(body);
    } catch (FlightRuntimeException e) {
      throw new SidecarException(
          "sidecar action " + type + " failed: " + e.status().description(),
          retryable(e.status()),
          e);
    } catch (IOException e) {
      throw new SidecarException("sidecar action " + type + " returned malformed JSON", false, e);
    }
  }

  private static boolean retryable(CallStatus status) {
    FlightStatusCode code = status.code();
    return code == FlightStatusCode.UNAVAILABLE || code == FlightStatusCode.TIMED_OUT;
  }

  @Override
  public void close() throws InterruptedException {
    client.close();
  }
}
