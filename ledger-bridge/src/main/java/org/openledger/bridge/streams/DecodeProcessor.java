package org.openledger.bridge.streams;

import java.nio.ByteBuffer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.openledger.bridge.decode.ChainEventDecoder;
import org.openledger.bridge.decode.DecodeResult;
import org.openledger.events.BlockSealed;
import org.openledger.events.ChainEvent;
import org.openledger.events.RawChainLog;
import org.openledger.events.RawRecordKind;
import org.openledger.pipeline.DeadLetter;
import org.openledger.schemas.serde.ConfluentAvroSerde;

/**
 * Turns each raw record into its typed event (to its own topic and, wrapped, to the ordered {@code
 * chain.events}), a seal into a {@code BlockSealed} there, or a bad record into a dead letter
 * carrying the reason and the original bytes; a log that is none of the pipeline's business (not
 * consumed, of a foreign contract, an unknown event) is only counted. It never throws on bad input:
 * an undecodable record is data, not a failure.
 */
final class DecodeProcessor extends ContextualProcessor<String, byte[], String, SpecificRecord> {

  static final String STAGE = "decoder";

  /** The store of {@link OffsetGuard}: the last raw-log offset decoded, per partition. */
  static final String PROGRESS = "decoder-progress";

  private final ConfluentAvroSerde<RawChainLog> rawSerde;
  private final ChainEventDecoder decoder;
  private final DecoderMetrics metrics;
  private OffsetGuard guard;

  DecodeProcessor(
      ConfluentAvroSerde<RawChainLog> rawSerde, ChainEventDecoder decoder, DecoderMetrics metrics) {
    this.rawSerde = rawSerde;
    this.decoder = decoder;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    super.init(context);
    guard = new OffsetGuard(context.getStateStore(PROGRESS));
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (!guard.admit(context().recordMetadata())) {
      metrics.redelivered(context().recordMetadata().get().topic());
      return; // decoded before: its events are already out, in the same transaction as the offset
    }
    RawChainLog raw;
    try {
      raw = rawSerde.decode(record.value());
    } catch (SerializationException e) {
      deadLetter(record, null, "undecodable raw record: " + e.getMessage(), "undecodable-record");
      return;
    }
    if (raw.getKind() == RawRecordKind.SEAL) {
      // Not a log: forwarded to the ordered topic only, closing every block up to its own.
      BlockSealed seal = BlockSealed.newBuilder().setPosition(raw.getPosition()).build();
      context().forward(record.withValue(ChainEvent.newBuilder().setEvent(seal).build()));
      metrics.sealed();
      return;
    }
    DecodeResult result = decoder.decode(raw);
    if (result instanceof DecodeResult.Decoded decoded) {
      metrics.decoded(decoded.topic().name());
      context().forward(record.withValue(decoded.event()));
      // ...and the same event into the ordered log, in chain order with the seals.
      context()
          .forward(record.withValue(ChainEvent.newBuilder().setEvent(decoded.event()).build()));
    } else if (result instanceof DecodeResult.Failed failed) {
      deadLetter(record, raw, failed.reason(), "undecodable-log");
    } else if (result instanceof DecodeResult.Ignored ignored) {
      // Not dead letters: a foreign contract's log or an event this build does not know is not a
      // fault of the pipeline (anyone can emit them cheaply). The metric, by reason, shows them.
      metrics.ignored(ignored.why());
    }
  }

  private void deadLetter(
      Record<String, byte[]> record, RawChainLog raw, String reason, String cause) {
    DeadLetter.Builder letter =
        DeadLetter.newBuilder()
            .setStage(STAGE)
            .setReason(reason)
            .setKey(
                record.key() == null
                    ? null
                    : ByteBuffer.wrap(
                        record.key().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
            .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
            .setPosition(raw == null ? null : raw.getPosition());
    context()
        .recordMetadata()
        .ifPresent(
            (RecordMetadata m) ->
                letter
                    .setSourceTopic(m.topic())
                    .setSourcePartition(m.partition())
                    .setSourceOffset(m.offset()));
    metrics.deadLettered(cause);
    context().forward(record.withValue((SpecificRecord) letter.build()));
  }
}
