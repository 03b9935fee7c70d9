package org.openledger.flink.attribution;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.openledger.flink.sidecar.IndexMatch;
import org.openledger.flink.sidecar.IndexRow;
import org.openledger.flink.sidecar.ScoreMethod;
import org.openledger.flink.sidecar.ScoreQuery;
import org.openledger.flink.sidecar.ScoreResult;
import org.openledger.flink.sidecar.SidecarClient;

/**
 * The gateway over Arrow Flight: one client and one Arrow allocator per operator instance, sending
 * the sidecar's shared token (when configured) on every call.
 */
public final class FlightSidecarGateway implements SidecarGateway {

  private final BufferAllocator allocator = new RootAllocator();
  private final SidecarClient client;
  private final String encoder;
  private final Set<String> encoders;

  private FlightSidecarGateway(
      URI uri, String encoder, Set<String> encoders, Duration timeout, String token) {
    this.encoder = encoder;
    TreeSet<String> all = new TreeSet<>(encoders);
    all.add(encoder);
    this.encoders = Set.copyOf(all);
    this.client =
        new SidecarClient(
            allocator,
            uri,
            SidecarClient.Options.defaults()
                .withTimeout(timeout)
                .withAttempts(20, Duration.ofMillis(250)),
            token);
  }

  /** A serializable factory: the URI travels with the job graph, the connection does not. */
  public static Factory factory(URI uri, String encoder, Duration timeout) {
    return factory(uri, encoder, Set.of(), timeout, null);
  }

  /**
   * As {@link #factory(URI, String, Duration)}, where models may also name any of {@code encoders}
   * (besides the default {@code encoder}), sending {@code token} (the sidecar's {@code
   * OPENLEDGER_SIDECAR_TOKEN}; null or blank for none) on every call. The token travels inside the
   * job graph to the TaskManagers, like the URI: it is never logged or printed.
   */
  public static Factory factory(
      URI uri, String encoder, Set<String> encoders, Duration timeout, String token) {
    Set<String> enabled = Set.copyOf(encoders);
    return () -> new FlightSidecarGateway(uri, encoder, enabled, timeout, token);
  }

  @Override
  public String encoderId() {
    return encoder;
  }

  @Override
  public Set<String> encoders() {
    return encoders;
  }

  @Override
  public void reset() {
    client.reset();
  }

  @Override
  public List<IndexMatch> index(
      long datanetId, String encoder, boolean matches, List<IndexRow> rows) {
    return client.index(datanetId, encoder, matches, rows);
  }

  @Override
  public void close(long datanetId, long contributionId, long atBlock) {
    client.close(datanetId, contributionId, atBlock);
  }

  @Override
  public void reopen(long datanetId, long contributionId) {
    client.reopen(datanetId, contributionId);
  }

  @Override
  public void registerModel(long modelId, List<Long> datanetIds, String encoder) {
    client.registerModel(modelId, datanetIds, encoder);
  }

  @Override
  public void ready() {
    client.ready();
  }

  @Override
  public ScoreResult score(
      long modelId, int k, double threshold, ScoreMethod method, List<ScoreQuery> queries) {
    return client.score(modelId, k, threshold, method, queries);
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    allocator.close(); // throws if a buffer leaked: a bug to see, not to hide
  }
}
