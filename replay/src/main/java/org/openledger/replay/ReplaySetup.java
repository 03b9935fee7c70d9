package org.openledger.replay;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.flink.attribution.FlightSidecarGateway;
import org.openledger.flink.config.PipelineConfig;
import org.openledger.flink.domain.HostResolver;
import org.openledger.flink.operators.ContentAttempts;

/**
 * What {@code replay} and {@code watch} both start from their options: the deployment and its
 * treasury, a sidecar (the one named, or one of their own) and the attribution sequencer over it,
 * with the jobs' fetch policy and encoder from the pipeline's own configuration keys.
 */
final class ReplaySetup implements AutoCloseable {

  final Deployment deployment;
  final String treasury;
  final SequencerAttributor attributor;
  private final SidecarLauncher launched;

  private ReplaySetup(
      Deployment deployment,
      String treasury,
      SequencerAttributor attributor,
      SidecarLauncher launched) {
    this.deployment = deployment;
    this.treasury = treasury;
    this.attributor = attributor;
    this.launched = launched;
  }

  /**
   * @param env the pipeline's {@code OPENLEDGER_*} keys (fetch policy, encoder), as the jobs read
   */
  static ReplaySetup open(ReplayApp.Options o, Map<String, String> env, PrintStream progress)
      throws Exception {
    Deployment deployment = Deployment.read(o.deployment());
    String treasury = o.treasury() != null ? o.treasury() : deployment.roles().treasury();
    PipelineConfig config = PipelineConfig.load(env, Optional.empty());
    // The jobs wait for content that is not there yet (a transient failure); replay reads
    // history, so a content root that does not exist stalls it on the first file:// contribution
    // (a chain whose contents are all http(s) needs none): say so at once.
    String root =
        org.openledger.config.ConfigSource.of(env, Optional.empty()).get(PipelineConfig.FETCH_ROOT);
    if (!root.isEmpty() && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(root))) {
      progress.println(
          "replay: WARNING content.fetch.root "
              + root
              + " is not a folder: a file:// contribution will stall replay until it is; set"
              + " OPENLEDGER_CONTENT_FETCH_ROOT to the folder that holds them (docs/REPLAY.md)");
    }
    SidecarLauncher launched = null;
    try {
      URI sidecarUri;
      if (o.sidecar() != null) {
        sidecarUri = o.sidecar();
      } else {
        progress.println("replay: starting its own sidecar (" + o.sidecarBackend() + ")");
        launched = new SidecarLauncher(o.python(), o.sidecarSource(), o.sidecarBackend());
        sidecarUri = launched.flightUri();
      }
      SequencerAttributor attributor =
          new SequencerAttributor(
              FlightSidecarGateway.factory(
                      sidecarUri, config.encoder(), config.encoders(), Duration.ofSeconds(60), null)
                  .open(),
              new ContentAttempts(config.fetching(), HostResolver.system()));
      return new ReplaySetup(deployment, treasury, attributor, launched);
    } catch (Exception | Error e) {
      if (launched != null) {
        launched.close();
      }
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      attributor.close();
    } finally {
      if (launched != null) {
        launched.close();
      }
    }
  }
}
