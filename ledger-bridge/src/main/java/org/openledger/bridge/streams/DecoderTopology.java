package org.openledger.bridge.streams;

import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.openledger.bridge.decode.ChainEventDecoder;
import org.openledger.events.RawChainLog;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistry;
import org.openledger.schemas.serde.ConfluentAvroSerde;

/**
 * The decoder: raw logs in, one typed topic per event out, dead letters for anything it cannot
 * decode. Values are Confluent-framed Avro registered under {@code <topic>-value}. Run with {@code
 * processing.guarantee=exactly_once_v2}, so each raw record is decoded exactly once, and an {@link
 * OffsetGuard} keeps it so when the group's committed offsets are lost.
 */
public final class DecoderTopology {

  private DecoderTopology() {}

  public static void build(
      StreamsBuilder builder,
      TopicNames names,
      SchemaRegistry registry,
      ChainEventDecoder decoder,
      DecoderMetrics metrics) {
    var rawSerde =
        new ConfluentAvroSerde<>(
            Topics.RAW_LOGS.withName(names.of(Topics.RAW_LOGS)), registry, RawChainLog.class);
    // Each value type belongs to exactly one topic: route by the record's schema.
    Map<String, String> topicBySchema =
        Topics.ALL.stream()
            .collect(Collectors.toMap(t -> t.valueSchema().getFullName(), names::of));
    Serde<SpecificRecord> values =
        Serdes.serdeFrom(
            ConfluentAvroSerde.forAnyTopic(registry),
            (topic, bytes) -> {
              throw new UnsupportedOperationException("the decoder only writes typed events");
            });
    builder.addStateStore(OffsetGuard.store(DecodeProcessor.PROGRESS));
    builder.stream(names.of(Topics.RAW_LOGS), Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .process(
            () -> new DecodeProcessor(rawSerde, decoder, metrics),
            Named.as("decode-raw-log"),
            DecodeProcessor.PROGRESS)
        .to(
            (key, value, context) -> topicBySchema.get(value.getSchema().getFullName()),
            Produced.with(Serdes.String(), values).withName("typed-events"));
  }

  /** The topics the decoder writes: every typed chain-event topic and the dead letters. */
  public static java.util.List<Topic> outputs() {
    return Topics.ALL.stream()
        .filter(
            t ->
                (t.name().startsWith("chain.") && t != Topics.RAW_LOGS) || t == Topics.DEAD_LETTERS)
        .toList();
  }
}
