package org.openledger.flink.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.events.ChainEvent;
import org.openledger.flink.PipelineApp;
import org.openledger.flink.config.PipelineConfig;
import org.openledger.pipeline.AttributionResult;
import org.openledger.schemas.Topics;
import org.openledger.testing.LocalStack;

/**
 * Faults mid-stream: the sidecar process is restarted (it comes back empty and not ready) and the
 * job is cancelled and restored from its last checkpoint. The result topic (read_committed) still
 * holds exactly one result per inference, each identical to an undisturbed run's.
 */
class AttributionFaultIT {

  private static final int BLOCKS = 24;
  private static final int PER_BLOCK = 3;

  @TempDir Path dir;

  @Test
  void shouldKeepExactlyOneIdenticalResultPerInferenceAcrossSidecarRestartAndJobRestore()
      throws Exception {
    ChainEvents c = new ChainEvents(dir);
    List<ChainEvent> head = new ArrayList<>();
    head.add(ChainEvents.params(1, 1, 3, 100_000, 990_000));
    for (int i = 1; i <= 12; i++) {
      head.add(c.contribution(2, i, i, fortune(i), fortune(i)));
    }
    head.add(ChainEvents.model(2, 1, 1));
    head.add(ChainEvents.seal(2));
    List<List<ChainEvent>> parts =
        List.of(new ArrayList<>(head), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int b = 0; b < BLOCKS; b++) {
      List<ChainEvent> target = parts.get(b / (BLOCKS / 4));
      for (int q = 0; q < PER_BLOCK; q++) {
        long id = 1000 + b * PER_BLOCK + q;
        target.add(c.inference(3 + b, q, id, 1, fortune(1 + (int) (id % 12)) + " again"));
      }
      target.add(ChainEvents.seal(3 + b));
    }
    int total = BLOCKS * PER_BLOCK;
    int quarter = total / 4;
    List<ChainEvent> all = parts.stream().flatMap(List::stream).toList();
    List<byte[]> reference =
        AttributionJobIT.run(LocalStack.unique("fault-ref") + ".", all, total, dir);

    String prefix = LocalStack.unique("fault") + ".";
    PipelineConfig config = AttributionJobIT.config(prefix, dir);
    String events = config.topic(Topics.CHAIN_EVENTS);
    String results = config.topic(Topics.ATTRIBUTION_RESULTS);
    Path checkpoints = Files.createDirectories(dir.resolve("checkpoints"));
    JobClient job = start(config, checkpoints, null);
    AttributionJobIT.produce(events, parts.get(0));
    AttributionJobIT.readCommitted(results, quarter, 0);
    // Fault 1: the sidecar restarts empty; the next score finds it not ready and the job re-seeds.
    LocalStack.openledger("restart", "sidecar");
    AttributionJobIT.produce(events, parts.get(1));
    AttributionJobIT.readCommitted(results, 2 * quarter, 0);
    // Fault 2: the job is cancelled while it works on the third part, transactions open.
    AttributionJobIT.produce(events, parts.get(2));
    AttributionJobIT.readCommitted(results, 2 * quarter + 1, 0);
    job.cancel().get();
    AttributionJobIT.produce(events, parts.get(3));
    JobClient restored = start(config, checkpoints, latest(checkpoints));
    List<byte[]> got;
    try {
      got = AttributionJobIT.readCommitted(results, total);
    } finally {
      restored.cancel().get();
    }

    List<AttributionResult> decoded = AttributionJobIT.decode(prefix, got);
    assertThat(decoded).extracting(AttributionResult::getInferenceId).doesNotHaveDuplicates();
    assertThat(decoded).hasSize(total);
    for (int i = 0; i < total; i++) {
      assertThat(AttributionJobIT.body(got.get(i)))
          .as("result %d equals the undisturbed run's", i)
          .isEqualTo(AttributionJobIT.body(reference.get(i)));
    }
  }

  private static String fortune(int i) {
    String[] topics = {"sea", "mountain", "city", "forest", "desert", "river"};
    return "fortune "
        + i
        + " says the "
        + topics[i % topics.length]
        + " keeps secret number "
        + i * 7;
  }

  private static JobClient start(PipelineConfig config, Path checkpoints, Path restoreFrom)
      throws Exception {
    Configuration conf = new Configuration();
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    conf.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    if (restoreFrom != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.enableCheckpointing(config.checkpointIntervalMs());
    PipelineApp.attributionJob(config).build(env);
    return env.executeAsync("attribution-fault-it");
  }

  /** The newest completed checkpoint (a chk-N folder with its _metadata) under the job's folder. */
  private static Path latest(Path checkpoints) throws Exception {
    try (Stream<Path> files = Files.walk(checkpoints)) {
      return files
          .filter(p -> p.getFileName().toString().equals("_metadata"))
          .map(Path::getParent)
          .max(
              Comparator.comparingInt(
                  p -> Integer.parseInt(p.getFileName().toString().substring(4))))
          .orElseThrow(() -> new AssertionError("no completed checkpoint under " + checkpoints));
    }
  }
}
