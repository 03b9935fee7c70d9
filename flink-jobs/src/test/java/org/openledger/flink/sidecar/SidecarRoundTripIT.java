package org.openledger.flink.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openledger.testing.LocalStack;

/**
 * The Java client against the real sidecar process started by {@code bin/openledger up}: index and
 * score batches, error mapping, and a restart that loses the indexes until re-seeded. Ids are
 * random so the shared sidecar's earlier state never matters; every test ends with the allocator's
 * accounting at zero.
 */
class SidecarRoundTripIT {

  private static final String HASHING = "hashing-ngram";
  private static final List<String> FORTUNES =
      List.of(
          "A stitch in time saves nine.",
          "The early bird catches the worm.",
          "Fortune favours the bold.",
          "Look before you leap.",
          "Actions speak louder than words.",
          "Where there is smoke there is fire.",
          "Too many cooks spoil the broth.");

  private final long datanet = ThreadLocalRandom.current().nextLong(1, 1L << 40);
  private final long model = datanet + 1;
  private BufferAllocator allocator;
  private SidecarClient client;

  @BeforeEach
  void connect() {
    allocator = new RootAllocator();
    SidecarClient.Options options =
        SidecarClient.Options.defaults()
            .withMaxBatchRows(3) // several record batches per call
            .withAttempts(40, Duration.ofMillis(250));
    client = new SidecarClient(allocator, LocalStack.sidecarFlightUri(), options);
  }

  @AfterEach
  void checkNoArrowMemoryLeaks() throws Exception {
    client.close();
    assertThat(allocator.getAllocatedMemory()).as("Arrow bytes still allocated").isZero();
    allocator.close();
  }

  private List<IndexRow> contributions() {
    List<IndexRow> rows = new ArrayList<>();
    for (int i = 0; i < FORTUNES.size(); i++) {
      rows.add(IndexRow.text(datanet * 100 + i, 10 + i, FORTUNES.get(i)));
    }
    return rows;
  }

  private List<ScoreQuery> plantedQueries() {
    return List.of(
        ScoreQuery.text(1, 100, "the early bird catches a worm"),
        ScoreQuery.text(2, 100, "too many cooks spoil broth"),
        ScoreQuery.text(3, 100, "zebras quantum xylophone"),
        ScoreQuery.text(4, 12, "too many cooks spoil broth")); // before that contribution
  }

  @Test
  void shouldIndexFlagDuplicatesAndScorePlantedQueriesAtRankOneInBatches() {
    List<IndexMatch> indexed = client.index(datanet, HASHING, true, contributions());
    List<IndexMatch> duplicate =
        client.index(
            datanet,
            HASHING,
            true,
            List.of(IndexRow.text(datanet * 100 + 50, 40, "Look before you leap!")));
    client.registerModel(model, List.of(datanet), HASHING);
    client.ready();

    ScoreResult result = client.score(model, 3, 0.3, plantedQueries());

    assertThat(indexed).hasSize(FORTUNES.size());
    assertThat(indexed.get(0).bestMatch()).isEmpty();
    assertThat(duplicate.get(0).bestMatch())
        .get()
        .satisfies(
            m -> {
              assertThat(m.contributionId()).isEqualTo(datanet * 100 + 3);
              assertThat(m.score()).isGreaterThan(0.99f);
            });
    assertThat(result.of(1).get(0).contributionId()).isEqualTo(datanet * 100 + 1);
    assertThat(result.of(2).get(0).contributionId()).isEqualTo(datanet * 100 + 6);
    assertThat(result.of(3)).isEmpty();
    assertThat(result.of(4))
        .extracting(ScoredContribution::contributionId)
        .doesNotContain(datanet * 100 + 6);
    assertThat(result.encoder().id()).isEqualTo(HASHING);
    assertThat(result.encoder().version()).isEqualTo("1");
  }

  @Test
  void shouldMapTheSidecarsErrorsToTypedExceptionsAndKeepServing() {
    client.index(datanet, HASHING, true, contributions());
    client.ready();

    assertThatThrownBy(() -> client.score(model + 7, 3, 0.0, plantedQueries()))
        .isInstanceOf(SidecarException.BadRequest.class)
        .hasMessageContaining("unknown model");
    assertThatThrownBy(
            () ->
                client.index(
                    datanet,
                    HASHING,
                    true,
                    List.of(IndexRow.vector(datanet * 100 + 90, 1, new float[3]))))
        .isInstanceOf(SidecarException.BadRequest.class)
        .hasMessageContaining("expected 384");
    assertThatThrownBy(
            () ->
                client.index(
                    datanet, HASHING, true, List.of(IndexRow.text(datanet * 100 + 91, 1, "!!"))))
        .isInstanceOf(SidecarException.BadRequest.class)
        .hasMessageContaining("no words");
    assertThatThrownBy(() -> client.registerModel(model, List.of(datanet), "no-such-encoder"))
        .isInstanceOf(SidecarException.BadRequest.class)
        .hasMessageContaining("unknown encoder");
    assertThat(client.health().alive()).isTrue();
  }

  @Test
  void shouldBeNotReadyAfterARestartAndScoreTheSameOnceReSeeded() {
    client.index(datanet, HASHING, true, contributions());
    client.close(datanet, datanet * 100 + 1, 50); // retracted at block 50
    client.registerModel(model, List.of(datanet), HASHING);
    client.ready();
    ScoreResult before = client.score(model, 3, 0.0, plantedQueries());

    LocalStack.openledger("restart", "sidecar");

    assertThat(client.health().ready()).isFalse();
    assertThatThrownBy(() -> client.score(model, 3, 0.0, plantedQueries()))
        .isInstanceOf(SidecarException.NotReady.class);
    List<IndexRow> seed = new ArrayList<>(contributions());
    seed.set(1, seed.get(1).closedAt(50)); // the owner re-seeds from its own state
    client.index(datanet, HASHING, false, seed);
    client.registerModel(model, List.of(datanet), HASHING);
    client.ready();

    assertThat(client.score(model, 3, 0.0, plantedQueries())).isEqualTo(before);
  }
}
