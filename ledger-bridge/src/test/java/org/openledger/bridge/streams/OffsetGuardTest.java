package org.openledger.bridge.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.decode.ChainEventDecoder;
import org.openledger.bridge.decode.RawLogFixtures;
import org.openledger.events.RawChainLog;
import org.openledger.pipeline.PayeeRole;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.schemas.Topics;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.InMemorySchemaRegistry;

/**
 * A Streams app whose committed offsets are lost starts again at the earliest offset: the decoder
 * and the balances views must skip what they already processed (TopologyTestDriver cannot rewind,
 * so these drive the processors with a mock context whose source offsets the test sets).
 */
class OffsetGuardTest {

  private static final String REGISTRY = "0x00000000000000000000000000000000000000d1";

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final DecoderMetrics metrics = new DecoderMetrics();
  private final ConfluentAvroSerde<RawChainLog> rawSerde =
      new ConfluentAvroSerde<>(Topics.RAW_LOGS, registry, RawChainLog.class);

  private static <K, V> void addStore(
      MockProcessorContext<?, ?> context, String name, Serde<K> keys, Serde<V> values) {
    KeyValueStore<K, V> store =
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys, values)
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
  }

  private static void addProgress(MockProcessorContext<?, ?> context, String name) {
    addStore(context, name, Serdes.String(), Serdes.Long());
  }

  private static byte[] contribution(ConfluentAvroSerde<RawChainLog> serde, long id) {
    return serde.encode(RawLogFixtures.contribution(REGISTRY, id));
  }

  private DecodeProcessor decoder(MockProcessorContext<String, SpecificRecord> context) {
    DecodeProcessor processor =
        new DecodeProcessor(
            rawSerde, new ChainEventDecoder(Map.of("DatanetRegistry", REGISTRY)), metrics);
    processor.init(context);
    return processor;
  }

  private static void decode(
      DecodeProcessor processor,
      MockProcessorContext<String, SpecificRecord> context,
      long offset,
      byte[] value) {
    context.setRecordMetadata(Topics.RAW_LOGS.name(), 0, offset);
    processor.process(new Record<>("k" + offset, value, 0L));
  }

  @Test
  void shouldSkipRawRecordsAlreadyDecodedWhenTheDecoderIsSentBackToTheEarliestOffset() {
    var context = new MockProcessorContext<String, SpecificRecord>();
    addProgress(context, DecodeProcessor.PROGRESS);
    DecodeProcessor processor = decoder(context);
    decode(processor, context, 0, contribution(rawSerde, 1));
    decode(processor, context, 1, contribution(rawSerde, 2));
    assertThat(context.forwarded()).hasSize(4); // typed + ordered, twice
    context.resetForwards();

    // The group's offsets are gone: a new processor (a migrated task) reads from 0 again.
    DecodeProcessor again = decoder(context);
    decode(again, context, 0, contribution(rawSerde, 1));
    decode(again, context, 1, contribution(rawSerde, 2));
    assertThat(context.forwarded()).isEmpty();
    assertThat(metrics.redeliveredTotal()).isEqualTo(2);
    assertThat(metrics.render())
        .contains("decoder_records_redelivered_total{topic=\"chain.raw-logs\"} 2");

    decode(again, context, 2, contribution(rawSerde, 3));
    assertThat(context.forwarded()).hasSize(2);
    assertThat(metrics.decodedTotal()).isEqualTo(3);
  }

  @Test
  void shouldKeepEachInputPartitionsOffsetApart() {
    var context = new MockProcessorContext<String, SpecificRecord>();
    addProgress(context, DecodeProcessor.PROGRESS);
    DecodeProcessor processor = decoder(context);
    decode(processor, context, 5, contribution(rawSerde, 1));
    context.setRecordMetadata(Topics.RAW_LOGS.name(), 1, 0);
    processor.process(new Record<>("k", contribution(rawSerde, 2), 0L));
    assertThat(context.forwarded()).hasSize(4);
    assertThat(metrics.redeliveredTotal()).isZero();
  }

  @Test
  void shouldCreditAnAccrualOnceWhenTheViewsReadItAgain() {
    var context = new MockProcessorContext<Void, Void>();
    addStore(context, BalancesProcessor.BALANCES, Serdes.String(), Serdes.String());
    for (String store :
        List.of(
            BalancesProcessor.DATANETS,
            BalancesProcessor.CONTRIBUTIONS,
            BalancesProcessor.MODELS,
            BalancesProcessor.FLAGS)) {
      addStore(context, store, Serdes.Long(), Serdes.String());
    }
    addProgress(context, BalancesProcessor.PROGRESS);
    PayoutAccrual accrual =
        PayoutAccrual.newBuilder()
            .setInferenceId(1)
            .setPosition(BalancesTopologyTest.POS)
            .setPayee(BalancesTopologyTest.ALICE)
            .setRole(PayeeRole.CONTRIBUTOR)
            .setContributionId(1L)
            .setAmount(new BigDecimal(700))
            .setParamsVersion(1)
            .build();
    for (int pass = 0; pass < 2; pass++) {
      BalancesProcessor views = new BalancesProcessor(metrics);
      views.init(context);
      context.setRecordMetadata(Topics.PAYOUT_ACCRUALS.name(), 0, 41);
      views.process(new Record<>("k", accrual, 0L));
    }
    KeyValueStore<String, String> balances = context.getStateStore(BalancesProcessor.BALANCES);
    assertThat(Balance.decode(balances.get(BalancesTopologyTest.ALICE)).accrued())
        .isEqualTo(BigInteger.valueOf(700));
    assertThat(metrics.redeliveredTotal()).isEqualTo(1);
  }
}
