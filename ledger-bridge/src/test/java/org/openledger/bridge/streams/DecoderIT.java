package org.openledger.bridge.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.bridge.contracts.DatanetRegistry;
import org.openledger.bridge.decode.ChainEventDecoder;
import org.openledger.bridge.decode.RawLogFixtures;
import org.openledger.events.DataContributed;
import org.openledger.events.RawChainLog;
import org.openledger.pipeline.DeadLetter;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.LocalStack;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;

/**
 * The decoder against the real broker and registry: hand-crafted bad raw records end in the
 * dead-letter topic with their reasons, logs of foreign contracts and unknown events are counted as
 * ignored, and the good records around them reach their topic.
 */
class DecoderIT {

  private static final String REGISTRY_ADDRESS = "0x00000000000000000000000000000000000000d1";

  @Test
  void shouldDeadLetterBadRecordsAndPassTheGoodOnesAroundThem(@TempDir Path state)
      throws Exception {
    TopicNames names = new TopicNames(LocalStack.unique("decoder") + ".");
    SchemaRegistryClient registry = new SchemaRegistryClient(LocalStack.registryUrl());
    DecoderApp.ensureTopics(LocalStack.kafkaBootstrap(), names);
    var rawSerde =
        new ConfluentAvroSerde<>(
            Topics.RAW_LOGS.withName(names.of(Topics.RAW_LOGS)), registry, RawChainLog.class);

    RawChainLog good1 = contribution(1);
    RawChainLog good2 = contribution(2);
    RawChainLog truncated =
        RawChainLog.newBuilder(contribution(3)).setData(ByteBuffer.wrap(new byte[10])).build();
    List<String> unknownTopics = new ArrayList<>(contribution(4).getTopics());
    unknownTopics.set(0, "0x" + "cd".repeat(32));
    RawChainLog unknownEvent =
        RawChainLog.newBuilder(contribution(4)).setTopics(unknownTopics).build();
    RawChainLog wrongContract =
        RawChainLog.newBuilder(contribution(5))
            .setAddress("0x00000000000000000000000000000000000000ee")
            .build();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", LocalStack.kafkaBootstrap()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      String raw = names.of(Topics.RAW_LOGS);
      producer.send(new ProducerRecord<>(raw, "g1", rawSerde.encode(good1)));
      producer.send(new ProducerRecord<>(raw, "t", rawSerde.encode(truncated)));
      producer.send(new ProducerRecord<>(raw, "u", rawSerde.encode(unknownEvent)));
      producer.send(new ProducerRecord<>(raw, "w", rawSerde.encode(wrongContract)));
      producer.send(new ProducerRecord<>(raw, "z", rawSerde.encode(contribution(0))));
      producer.send(new ProducerRecord<>(raw, "x", "garbage".getBytes(StandardCharsets.UTF_8)));
      // Framed, but with a schema id the registry does not know (it answers 404).
      producer.send(new ProducerRecord<>(raw, "i", new byte[] {0, 0x7f, -1, -1, -1, 2, 4}));
      producer.send(new ProducerRecord<>(raw, "g2", rawSerde.encode(good2)));
    }

    DecoderMetrics metrics = new DecoderMetrics();
    StreamsBuilder builder = new StreamsBuilder();
    DecoderTopology.build(
        builder,
        names,
        registry,
        new ChainEventDecoder(Map.of("DatanetRegistry", REGISTRY_ADDRESS)),
        metrics);
    try (KafkaStreams streams =
        new KafkaStreams(
            builder.build(),
            DecoderApp.streamsProps(LocalStack.kafkaBootstrap(), names, state.toString()))) {
      streams.start();
      var typed =
          new ConfluentAvroSerde<>(Topics.DATA_CONTRIBUTED, registry, DataContributed.class);
      var letters = new ConfluentAvroSerde<>(Topics.DEAD_LETTERS, registry, DeadLetter.class);

      List<Long> contributions =
          readCommitted(names.of(Topics.DATA_CONTRIBUTED), 2).stream()
              .map(v -> typed.decode(v).getContributionId())
              .toList();
      List<String> reasons =
          readCommitted(names.of(Topics.DEAD_LETTERS), 4).stream()
              .map(v -> letters.decode(v).getReason())
              .toList();

      assertThat(contributions).containsExactly(1L, 2L);
      // The unknown event and the foreign contract's log are ignored and counted, not dead letters.
      assertThat(reasons)
          .satisfiesExactly(
              r ->
                  assertThat(r).contains("DataContributed: data length 10 is not a multiple of 32"),
              r ->
                  assertThat(r)
                      .isEqualTo("DataContributed.contributionId: 0 is not an id (ids start at 1)"),
              r -> assertThat(r).startsWith("undecodable raw record"),
              r ->
                  assertThat(r).startsWith("undecodable raw record: unknown schema id 2147483647"));
      assertThat(metrics.deadLetters()).isEqualTo(4);
      assertThat(metrics.render())
          .contains("decoder_records_ignored_total{reason=\"unknown-event\"} 1")
          .contains("decoder_records_ignored_total{reason=\"foreign-contract\"} 1")
          .contains("decoder_dead_letters_total{cause=\"undecodable-log\"} 2")
          .contains("decoder_dead_letters_total{cause=\"undecodable-record\"} 2");
    }
  }

  private static RawChainLog contribution(long id) {
    return RawLogFixtures.log(
        REGISTRY_ADDRESS,
        DatanetRegistry.DATACONTRIBUTED_EVENT,
        List.of(
            new Uint256(id),
            new Uint256(1),
            new Address("0x00000000000000000000000000000000000000aa")),
        List.of(
            new Bytes32(new byte[32]),
            new Utf8String("file:///c/" + id),
            new Uint256(BigInteger.TEN)));
  }

  private static List<byte[]> readCommitted(String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<byte[]> values = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}
