package org.openledger.flink.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.events.AttributionMethod;
import org.openledger.events.ChainEvent;
import org.openledger.flink.PipelineApp;
import org.openledger.flink.config.PipelineConfig;
import org.openledger.flink.payment.PaymentJobIT;
import org.openledger.flink.sidecar.SidecarProcess;
import org.openledger.pipeline.AttributedContribution;
import org.openledger.pipeline.AttributionResult;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.LocalStack;

/**
 * Models over one Datanet are each attributed by their own registered method and encoder, on a real
 * sidecar (this checkout's, started on free ports: the shared stack's may run older code) through
 * real Kafka and registry. A SPAN model's inference quoting one contributor's text is attributed to
 * that contributor alone, tagged span-match, and the payment job accrues the whole contributor pool
 * of its fee to them; an EMBEDDING model is scored by the default encoder, another registered later
 * with its own encoder by that one (the Datanet indexed in it then); a model naming an encoder the
 * pipeline does not run is answered unattributed.
 */
class SpanAttributionIT {

  static final String ALICE = "0x00000000000000000000000000000000000000a1";
  static final String BOB = "0x00000000000000000000000000000000000000a2";
  static final String CAROL = "0x00000000000000000000000000000000000000a3";
  static final String ALICE_TEXT =
      "Rivers carve their valleys slowly, grain by grain, over many thousands of patient years.";
  static final String BOB_TEXT =
      "A well tuned compiler turns loops into vector instructions whenever the data allows it.";
  static final String CAROL_TEXT =
      "Sourdough needs a lively starter, warm water, flour, salt and a long cool overnight rise.";
  static final String TREASURY = PaymentJobIT.TREASURY;
  static final String QUOTE =
      "As the notes put it: a well tuned compiler turns loops into vector instructions whenever"
          + " the data allows it.";

  @TempDir Path dir;

  @Test
  void shouldPayTheQuotedContributorAloneWhenASpanModelsInferenceQuotesItsText() throws Exception {
    ChainEvents c = new ChainEvents(dir);
    List<ChainEvent> scenario =
        List.of(
            ChainEvents.params(1, 1, 3, 200_000, 900_000),
            ChainEvents.seal(1),
            c.contribution(2, 0, 1, ALICE, ALICE_TEXT, ALICE_TEXT),
            c.contribution(2, 1, 2, BOB, BOB_TEXT, BOB_TEXT),
            c.contribution(2, 2, 3, CAROL, CAROL_TEXT, CAROL_TEXT),
            ChainEvents.seal(2),
            ChainEvents.model(3, 1, AttributionMethod.SPAN, 1),
            ChainEvents.seal(3),
            ChainEvents.model(4, 2, AttributionMethod.EMBEDDING, 1),
            ChainEvents.seal(4),
            c.inference(5, 0, 100, 1, QUOTE),
            c.inference(5, 1, 101, 2, QUOTE),
            c.inference(5, 2, 102, 1, "nothing here was ever written by anyone in this Datanet"),
            ChainEvents.seal(5),
            ChainEvents.model(6, 3, AttributionMethod.EMBEDDING, "hashing-ngram", 1),
            ChainEvents.seal(6),
            ChainEvents.model(7, 4, AttributionMethod.EMBEDDING, "minilm-l6-v2", 1),
            ChainEvents.seal(7),
            c.inference(8, 0, 103, 3, QUOTE),
            c.inference(8, 1, 104, 4, QUOTE),
            ChainEvents.seal(8));

    Map<Long, AttributionResult> byInference;
    String prefix = LocalStack.unique("span") + ".";
    try (SidecarProcess sidecar = new SidecarProcess(Map.of())) {
      PipelineConfig config = AttributionJobIT.config(prefix, dir, sidecar.flightUri());
      byInference =
          AttributionJobIT.decode(prefix, AttributionJobIT.run(config, scenario, 5)).stream()
              .collect(Collectors.toMap(AttributionResult::getInferenceId, Function.identity()));
    }

    AttributionResult span = byInference.get(100L);
    assertThat(span.getEncoderId()).isEqualTo("span-match");
    assertThat(span.getEncoderVersion()).isEqualTo("1");
    assertThat(span.getUnattributed()).isFalse();
    assertThat(span.getContributions())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getContributionId()).isEqualTo(2L);
              assertThat(a.getContributor()).isEqualTo(BOB);
              assertThat(a.getScorePpm()).isBetween(700_000L, 1_000_000L); // 14 of 19 words
              assertThat(a.getWeight()).isEqualTo(a.getScorePpm()); // LINEAR
            });
    AttributionResult embedding = byInference.get(101L);
    assertThat(embedding.getEncoderId()).isEqualTo("hashing-ngram-v2");
    assertThat(embedding.getContributions())
        .extracting(AttributedContribution::getContributionId)
        .first()
        .isEqualTo(2L);
    assertThat(byInference.get(102L).getUnattributed()).isTrue();
    // Model 3 named the first hashing encoder: Bob's text first again, in that encoder's space.
    AttributionResult own = byInference.get(103L);
    assertThat(own.getEncoderId()).isEqualTo("hashing-ngram");
    assertThat(own.getContributions())
        .extracting(AttributedContribution::getContributionId)
        .first()
        .isEqualTo(2L);
    assertThat(own.getContributions())
        .extracting(AttributedContribution::getScorePpm)
        .isNotEqualTo(
            embedding.getContributions().stream()
                .map(AttributedContribution::getScorePpm)
                .toList());
    // Model 4 named an encoder this pipeline does not run (attribution.encoders): unattributed.
    assertThat(byInference.get(104L).getUnattributed()).isTrue();

    // Payments: the contributor pool of 100's fee (70 % of 1,000,000 wei) goes to Bob alone.
    List<PayoutAccrual> pool =
        pay(prefix).stream()
            .filter(a -> a.getInferenceId() == 100L && a.getRole().name().equals("CONTRIBUTOR"))
            .toList();
    assertThat(pool)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getPayee()).isEqualTo(BOB);
              assertThat(a.getContributionId()).isEqualTo(2L);
              assertThat(a.getAmount().toBigIntegerExact()).isEqualTo(BigInteger.valueOf(700_000));
            });
  }

  /** Runs the payment job over the same chain events and results; its committed accruals. */
  private static List<PayoutAccrual> pay(String prefix) throws Exception {
    PipelineConfig config = PaymentJobIT.config(prefix);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.enableCheckpointing(config.checkpointIntervalMs());
    PipelineApp.paymentJob(config).build(env);
    JobClient job = env.executeAsync("span-payment-it " + prefix);
    try {
      var serde =
          new ConfluentAvroSerde<>(
              Topics.PAYOUT_ACCRUALS.withName(config.topic(Topics.PAYOUT_ACCRUALS)),
              new SchemaRegistryClient(LocalStack.registryUrl()),
              PayoutAccrual.class);
      // 100: Bob, owner, protocol; 101: 1-3 contributors, owner, protocol; 102: owner, protocol+.
      return AttributionJobIT.readCommitted(config.topic(Topics.PAYOUT_ACCRUALS), 8, 6).stream()
          .map(serde::decode)
          .toList();
    } finally {
      job.cancel().get();
    }
  }
}
