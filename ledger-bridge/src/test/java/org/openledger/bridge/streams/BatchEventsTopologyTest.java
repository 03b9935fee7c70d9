package org.openledger.bridge.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.bridge.decode.ChainEventDecoder;
import org.openledger.bridge.decode.RawLogFixtures;
import org.openledger.events.BatchChallenged;
import org.openledger.events.BatchProposed;
import org.openledger.events.BatchResolved;
import org.openledger.events.ChainEvent;
import org.openledger.events.RawChainLog;
import org.openledger.pipeline.DeadLetter;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.InMemorySchemaRegistry;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.utils.Numeric;

/**
 * The decoder's topology carries the optimistic settlement's events (proposed, challenged,
 * resolved) onto their own topics and into chain.events, retractions included, and dead-letters a
 * malformed one or an over-long batch with its reason without stopping.
 */
class BatchEventsTopologyTest {

  private static final String SETTLEMENT = "0x00000000000000000000000000000000000000d5";
  private static final String ALICE = "0x00000000000000000000000000000000000000aa";
  private static final String BOB = "0x00000000000000000000000000000000000000bb";
  private static final String BATCH = "0x" + "ab".repeat(32);
  private static final BigInteger WEI = BigInteger.TEN.pow(27).add(BigInteger.ONE);

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final DecoderMetrics metrics = new DecoderMetrics();
  private final ConfluentAvroSerde<RawChainLog> rawSerde =
      new ConfluentAvroSerde<>(Topics.RAW_LOGS, registry, RawChainLog.class);
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> raw;

  @BeforeEach
  void start() {
    StreamsBuilder builder = new StreamsBuilder();
    DecoderTopology.build(
        builder,
        TopicNames.DEFAULT,
        registry,
        new ChainEventDecoder(Map.of("Settlement", SETTLEMENT)),
        metrics);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "decoder-batch-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    driver = new TopologyTestDriver(builder.build(), props);
    raw =
        driver.createInputTopic(
            Topics.RAW_LOGS.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private <T extends org.apache.avro.specific.SpecificRecord> List<T> read(
      Topic topic, Class<T> type) {
    TestOutputTopic<String, byte[]> out =
        driver.createOutputTopic(
            topic.name(), Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
    ConfluentAvroSerde<T> serde = new ConfluentAvroSerde<>(topic, registry, type);
    return out.readValuesToList().stream().map(serde::decode).toList();
  }

  private static RawChainLog proposal(long deadline, List<String> payees) {
    List<Uint256> amounts = Collections.nCopies(payees.size(), new Uint256(WEI)).stream().toList();
    return RawLogFixtures.log(
        SETTLEMENT,
        Settlement.BATCHPROPOSED_EVENT,
        List.of(new Bytes32(Numeric.hexStringToByteArray(BATCH)), new Address(BOB)),
        List.of(
            new Uint256(100),
            new Uint256(119),
            new Uint256(0),
            new Uint256(1),
            new Bytes32(Numeric.hexStringToByteArray("0x" + "cd".repeat(32))),
            new Uint256(WEI.multiply(BigInteger.valueOf(payees.size()))),
            new Uint256(deadline),
            new DynamicArray<>(Address.class, payees.stream().map(Address::new).toList()),
            new DynamicArray<>(Uint256.class, amounts)));
  }

  private static RawChainLog challenge() {
    return RawLogFixtures.log(
        SETTLEMENT,
        Settlement.BATCHCHALLENGED_EVENT,
        List.of(new Bytes32(Numeric.hexStringToByteArray(BATCH)), new Address(ALICE)),
        List.of(new Uint256(BigInteger.TEN.pow(18))));
  }

  private static RawChainLog resolution(boolean upheld) {
    return RawLogFixtures.log(
        SETTLEMENT,
        Settlement.BATCHRESOLVED_EVENT,
        List.of(new Bytes32(Numeric.hexStringToByteArray(BATCH))),
        List.of(new Bool(upheld), new Address(ALICE), new Uint256(BigInteger.TWO.pow(61))));
  }

  @Test
  void shouldDecodeEachBatchEventOntoItsTopicAndIntoTheOrderedLog() {
    raw.pipeInput("k-proposed", rawSerde.encode(proposal(125, List.of(ALICE, BOB))));
    raw.pipeInput("k-challenged", rawSerde.encode(challenge()));
    raw.pipeInput("k-resolved", rawSerde.encode(resolution(true)));
    raw.pipeInput(
        "k-retracted",
        rawSerde.encode(RawChainLog.newBuilder(resolution(true)).setRemoved(true).build()));

    List<BatchProposed> proposed = read(Topics.BATCH_PROPOSED, BatchProposed.class);
    List<BatchChallenged> challenged = read(Topics.BATCH_CHALLENGED, BatchChallenged.class);
    List<BatchResolved> resolved = read(Topics.BATCH_RESOLVED, BatchResolved.class);
    assertThat(proposed)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getBatchId()).isEqualTo(BATCH);
              assertThat(p.getChallengeDeadline()).isEqualTo(125);
              assertThat(p.getPayees()).containsExactly(ALICE, BOB);
              assertThat(p.getAmounts()).containsExactly(new BigDecimal(WEI), new BigDecimal(WEI));
              assertThat(p.getTotal()).isEqualTo(new BigDecimal(WEI.add(WEI)));
            });
    assertThat(challenged).extracting(BatchChallenged::getChallenger).containsExactly(ALICE);
    assertThat(resolved)
        .extracting(r -> r.getUpheld() + "/" + r.getRemoved() + "/" + r.getBondPaid())
        .containsExactly(
            "true/false/" + BigInteger.TWO.pow(61), "true/true/" + BigInteger.TWO.pow(61));
    assertThat(read(Topics.CHAIN_EVENTS, ChainEvent.class))
        .extracting(e -> e.getEvent().getClass().getSimpleName())
        .containsExactly("BatchProposed", "BatchChallenged", "BatchResolved", "BatchResolved");
    assertThat(read(Topics.DEAD_LETTERS, DeadLetter.class)).isEmpty();
    assertThat(metrics.decodedTotal()).isEqualTo(4);
  }

  @Test
  void shouldDeadLetterAMalformedOrOverLongBatchEventWithItsReasonAndCarryOn() {
    RawChainLog good = challenge();
    RawChainLog truncated =
        RawChainLog.newBuilder(good).setData(java.nio.ByteBuffer.wrap(new byte[31])).build();
    List<String> many =
        IntStream.rangeClosed(1, 1001).mapToObj(i -> String.format("0x%040x", i)).toList();

    raw.pipeInput("k-truncated", rawSerde.encode(truncated));
    raw.pipeInput("k-late", rawSerde.encode(proposal(119, List.of(ALICE))));
    raw.pipeInput("k-many", rawSerde.encode(proposal(125, many)));
    raw.pipeInput("k-good", rawSerde.encode(good));

    assertThat(read(Topics.BATCH_CHALLENGED, BatchChallenged.class)).hasSize(1);
    assertThat(read(Topics.BATCH_PROPOSED, BatchProposed.class)).isEmpty();
    List<DeadLetter> dead = read(Topics.DEAD_LETTERS, DeadLetter.class);
    assertThat(dead)
        .extracting(DeadLetter::getReason)
        .containsExactly(
            "BatchChallenged: data length 31 is not a multiple of 32",
            "BatchProposed.challengeDeadline: 119 is not after the window's end 119",
            "BatchProposed.payees: 1001 items, more than the 1000 the contract allows");
    assertThat(dead)
        .allSatisfy(
            d -> {
              assertThat(d.getStage()).isEqualTo("decoder");
              assertThat(d.getSourceTopic()).isEqualTo(Topics.RAW_LOGS.name());
              assertThat(d.getPosition()).isEqualTo(good.getPosition());
            });
    assertThat(metrics.deadLetters()).isEqualTo(3);
    assertThat(metrics.decodedTotal()).isEqualTo(1);
  }
}
