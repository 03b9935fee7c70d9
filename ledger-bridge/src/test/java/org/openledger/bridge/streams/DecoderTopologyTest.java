package org.openledger.bridge.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.contracts.InferenceMarket;
import org.openledger.bridge.contracts.OpenToken;
import org.openledger.bridge.decode.ChainEventDecoder;
import org.openledger.bridge.decode.RawLogFixtures;
import org.openledger.events.DataContributed;
import org.openledger.events.InferencePaid;
import org.openledger.events.RawChainLog;
import org.openledger.pipeline.DeadLetter;
import org.openledger.schemas.Topics;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.InMemorySchemaRegistry;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Hash;

class DecoderTopologyTest {

  private static final String REGISTRY = "0x00000000000000000000000000000000000000d1";
  private static final String TOKEN = "0x00000000000000000000000000000000000000d9";
  private static final String MARKET = "0x00000000000000000000000000000000000000d3";
  private static final String FOREIGN = "0x00000000000000000000000000000000000000ee";

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final DecoderMetrics metrics = new DecoderMetrics();
  private final ConfluentAvroSerde<RawChainLog> rawSerde =
      new ConfluentAvroSerde<>(Topics.RAW_LOGS, registry, RawChainLog.class);
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> raw;
  private TestOutputTopic<String, byte[]> contributed;
  private TestOutputTopic<String, byte[]> deadLetters;

  @BeforeEach
  void start() {
    StreamsBuilder builder = new StreamsBuilder();
    DecoderTopology.build(
        builder,
        TopicNames.DEFAULT,
        registry,
        new ChainEventDecoder(
            Map.of("DatanetRegistry", REGISTRY, "OpenToken", TOKEN, "InferenceMarket", MARKET)),
        metrics);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "decoder-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    driver = new TopologyTestDriver(builder.build(), props);
    raw =
        driver.createInputTopic(
            Topics.RAW_LOGS.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
    contributed =
        driver.createOutputTopic(
            Topics.DATA_CONTRIBUTED.name(),
            Serdes.String().deserializer(),
            Serdes.ByteArray().deserializer());
    deadLetters =
        driver.createOutputTopic(
            Topics.DEAD_LETTERS.name(),
            Serdes.String().deserializer(),
            Serdes.ByteArray().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private static RawChainLog contribution(long id) {
    return RawLogFixtures.contribution(REGISTRY, id);
  }

  @Test
  void shouldDecodeGoodLogsAndDeadLetterBadOnesWithReasonsWithoutStopping() {
    RawChainLog unknownContract =
        RawChainLog.newBuilder(contribution(9))
            .setAddress("0x00000000000000000000000000000000000000ff")
            .build();
    RawChainLog truncated =
        RawChainLog.newBuilder(contribution(8))
            .setData(java.nio.ByteBuffer.wrap(new byte[7]))
            .build();
    RawChainLog transfer =
        RawLogFixtures.log(
            TOKEN,
            OpenToken.TRANSFER_EVENT,
            List.of(new Address("0x01"), new Address("0x02")),
            List.of(new Uint256(5)));

    raw.pipeInput("k-garbage", "not avro at all".getBytes(StandardCharsets.UTF_8));
    raw.pipeInput("k-1", rawSerde.encode(contribution(1)));
    raw.pipeInput("k-unknown", rawSerde.encode(unknownContract));
    raw.pipeInput("k-truncated", rawSerde.encode(truncated));
    raw.pipeInput("k-transfer", rawSerde.encode(transfer));
    raw.pipeInput("k-2", rawSerde.encode(contribution(2)));

    var typed = new ConfluentAvroSerde<>(Topics.DATA_CONTRIBUTED, registry, DataContributed.class);
    assertThat(contributed.readKeyValuesToList())
        .extracting(kv -> kv.key + "=" + typed.decode(kv.value).getContributionId())
        .containsExactly("k-1=1", "k-2=2");

    var letters = new ConfluentAvroSerde<>(Topics.DEAD_LETTERS, registry, DeadLetter.class);
    List<DeadLetter> dead = deadLetters.readValuesToList().stream().map(letters::decode).toList();
    assertThat(dead)
        .extracting(DeadLetter::getReason)
        .satisfiesExactly(
            r -> assertThat(r).startsWith("undecodable raw record: not Confluent-framed Avro"),
            r -> assertThat(r).contains("DataContributed").contains("not a multiple of 32"));
    assertThat(dead)
        .allSatisfy(
            d -> {
              assertThat(d.getStage()).isEqualTo("decoder");
              assertThat(d.getSourceTopic()).isEqualTo(Topics.RAW_LOGS.name());
              assertThat(d.getValue()).isNotNull();
            });
    assertThat(dead.get(0).getSourceOffset()).isZero();
    assertThat(new String(dead.get(0).getValue().array(), StandardCharsets.UTF_8))
        .isEqualTo("not avro at all");
    assertThat(dead.get(1).getPosition()).isEqualTo(truncated.getPosition());
    assertThat(metrics.deadLetters()).isEqualTo(2);
    assertThat(metrics.decodedTotal()).isEqualTo(2);
    // The transfer is known but not consumed; the unknown contract's log is not ours.
    assertThat(metrics.ignoredTotal()).isEqualTo(2);
    assertThat(metrics.render())
        .contains("decoder_dead_letters_total{cause=\"undecodable-log\"} 1")
        .contains("decoder_records_ignored_total{reason=\"not-consumed\"} 1")
        .contains("decoder_records_ignored_total{reason=\"foreign-contract\"} 1");
  }

  @Test
  void shouldIgnoreForgedAndUnknownEventsVisiblyAndDeadLetterAbsurdValuesWithTheField() {
    TestOutputTopic<String, byte[]> paid =
        driver.createOutputTopic(
            Topics.INFERENCE_PAID.name(),
            Serdes.String().deserializer(),
            Serdes.ByteArray().deserializer());
    // Anyone can deploy a contract emitting InferencePaid; only the market's count.
    RawChainLog forged = inferencePaid(FOREIGN, 1);
    RawChainLog real = inferencePaid(MARKET, 2);
    List<String> topics = new ArrayList<>(real.getTopics());
    topics.set(0, Hash.sha3String("MinimumsChanged(uint256,uint256,uint256)"));
    RawChainLog unknownEvent =
        RawChainLog.newBuilder(real).setTopics(topics).setAddress(MARKET).build();
    RawChainLog zeroId = contribution(0);

    raw.pipeInput("k-forged", rawSerde.encode(forged));
    raw.pipeInput("k-unknown", rawSerde.encode(unknownEvent));
    raw.pipeInput("k-zero", rawSerde.encode(zeroId));
    raw.pipeInput("k-real", rawSerde.encode(real));

    var typed = new ConfluentAvroSerde<>(Topics.INFERENCE_PAID, registry, InferencePaid.class);
    assertThat(paid.readValuesToList())
        .extracting(v -> typed.decode(v).getInferenceId())
        .containsExactly(2L);
    assertThat(contributed.isEmpty()).isTrue();
    var letters = new ConfluentAvroSerde<>(Topics.DEAD_LETTERS, registry, DeadLetter.class);
    assertThat(deadLetters.readValuesToList())
        .extracting(v -> letters.decode(v).getReason())
        .containsExactly("DataContributed.contributionId: 0 is not an id (ids start at 1)");
    assertThat(metrics.render())
        .contains("decoder_records_ignored_total{reason=\"foreign-contract\"} 1")
        .contains("decoder_records_ignored_total{reason=\"unknown-event\"} 1")
        .contains("decoder_dead_letters_total{cause=\"undecodable-log\"} 1");
    assertThat(metrics.decodedTotal()).isEqualTo(1);
  }

  private static RawChainLog inferencePaid(String address, long inferenceId) {
    return RawLogFixtures.log(
        address,
        InferenceMarket.INFERENCEPAID_EVENT,
        List.of(
            new Uint256(inferenceId),
            new Uint256(7),
            new Address("0x00000000000000000000000000000000000000bb")),
        List.of(
            new Uint256(1000),
            new Bytes32(Hash.sha3("q".getBytes(StandardCharsets.UTF_8))),
            new Utf8String("file:///q/" + inferenceId)));
  }

  @Test
  void shouldCarryRetractionsThroughToTheTypedTopic() {
    raw.pipeInput(
        "k-1", rawSerde.encode(RawChainLog.newBuilder(contribution(1)).setRemoved(true).build()));

    var typed = new ConfluentAvroSerde<>(Topics.DATA_CONTRIBUTED, registry, DataContributed.class);
    assertThat(typed.decode(contributed.readValue()).getRemoved()).isTrue();
  }

  @Test
  void shouldWriteEveryDecodedEventAndEachSealInChainOrderToTheOrderedTopic() {
    TestOutputTopic<String, byte[]> ordered =
        driver.createOutputTopic(
            Topics.CHAIN_EVENTS.name(),
            Serdes.String().deserializer(),
            Serdes.ByteArray().deserializer());
    RawChainLog seal =
        org.openledger.bridge.chain.RawLogs.seal(1337, 7, "0x" + "ab".repeat(32), 1_700_000_000L);

    raw.pipeInput("k-1", rawSerde.encode(contribution(1)));
    raw.pipeInput("k-seal", rawSerde.encode(seal));
    raw.pipeInput("k-2", rawSerde.encode(contribution(2)));

    var events =
        new ConfluentAvroSerde<>(
            Topics.CHAIN_EVENTS, registry, org.openledger.events.ChainEvent.class);
    assertThat(ordered.readKeyValuesToList())
        .extracting(
            kv -> {
              Object event = events.decode(kv.value).getEvent();
              return kv.key
                  + "="
                  + (event instanceof DataContributed c
                      ? "contribution " + c.getContributionId()
                      : "sealed "
                          + ((org.openledger.events.BlockSealed) event)
                              .getPosition()
                              .getBlockNumber());
            })
        .containsExactly("k-1=contribution 1", "k-seal=sealed 7", "k-2=contribution 2");
    assertThat(contributed.readValuesToList()).hasSize(2); // the seal is not a contribution
    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(metrics.sealedTotal()).isEqualTo(1);
    assertThat(metrics.ignoredTotal()).isZero();
  }
}
