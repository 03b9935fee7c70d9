package org.openledger.bridge.streams;

import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistry;
import org.openledger.schemas.serde.ConfluentAvroSerde;

/**
 * The live balances and Datanet views behind the read-only HTTP API (interactive queries): typed
 * chain events and payout accruals in, three local state stores out.
 */
public final class BalancesTopology {

  /** The topics the views are built from. */
  public static final List<Topic> INPUTS =
      List.of(
          Topics.PAYOUT_ACCRUALS,
          Topics.BATCH_SETTLED,
          Topics.INFERENCE_PAID,
          Topics.DATANET_CREATED,
          Topics.DATA_CONTRIBUTED,
          Topics.CONTRIBUTION_REVIEWED,
          Topics.STAKE_SLASHED,
          Topics.STAKE_WITHDRAWN,
          Topics.CONTRIBUTION_FLAGGED,
          Topics.FLAG_CLEARED);

  private BalancesTopology() {}

  public static void build(StreamsBuilder builder, TopicNames names, SchemaRegistry registry) {
    build(builder, names, registry, new DecoderMetrics());
  }

  /** As above, counting skipped redeliveries ({@link OffsetGuard}) in {@code metrics}. */
  public static void build(
      StreamsBuilder builder, TopicNames names, SchemaRegistry registry, DecoderMetrics metrics) {
    builder.addStateStore(OffsetGuard.store(BalancesProcessor.PROGRESS));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(BalancesProcessor.BALANCES),
            Serdes.String(),
            Serdes.String()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(BalancesProcessor.DATANETS),
            Serdes.Long(),
            Serdes.String()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(BalancesProcessor.CONTRIBUTIONS),
            Serdes.Long(),
            Serdes.String()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(BalancesProcessor.MODELS),
            Serdes.Long(),
            Serdes.String()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(BalancesProcessor.FLAGS),
            Serdes.Long(),
            Serdes.String()));
    builder.stream(
            INPUTS.stream().map(names::of).toList(),
            Consumed.with(
                Serdes.String(),
                Serdes.serdeFrom(
                    (topic, v) -> {
                      throw new UnsupportedOperationException("read only");
                    },
                    ConfluentAvroSerde.anySpecific(registry))))
        .process(
            () -> new BalancesProcessor(metrics),
            Named.as("update-views"),
            BalancesProcessor.PROGRESS,
            BalancesProcessor.BALANCES,
            BalancesProcessor.DATANETS,
            BalancesProcessor.CONTRIBUTIONS,
            BalancesProcessor.MODELS,
            BalancesProcessor.FLAGS);
  }
}
