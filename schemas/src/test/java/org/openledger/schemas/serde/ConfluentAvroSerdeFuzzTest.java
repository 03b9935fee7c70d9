package org.openledger.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.openledger.events.ChainPosition;
import org.openledger.events.FeeEscrowed;
import org.openledger.events.RawChainLog;
import org.openledger.pipeline.DeadLetter;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistry;
import org.openledger.schemas.registry.SchemaRegistryException;
import org.openledger.testing.InMemorySchemaRegistry;

/**
 * Arbitrary bytes into the Confluent-framed Avro reader: a record or a {@link
 * SerializationException} naming what is wrong, nothing else (no index, arithmetic or memory error)
 * — whether the magic byte, the schema id, the body or its length is off.
 */
class ConfluentAvroSerdeFuzzTest {

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final ConfluentAvroSerde<RawChainLog> raw =
      new ConfluentAvroSerde<>(Topics.RAW_LOGS, registry, RawChainLog.class);
  private final ConfluentAvroSerde<FeeEscrowed> fees =
      new ConfluentAvroSerde<>(Topics.FEE_ESCROWED, registry, FeeEscrowed.class);
  private final ConfluentAvroSerde<DeadLetter> letters =
      new ConfluentAvroSerde<>(Topics.DEAD_LETTERS, registry, DeadLetter.class);
  private final byte[] validRaw = raw.encode(rawLog());
  private final byte[] validFee = fees.encode(fee());
  private final byte[] validLetter = letters.encode(letter());

  @Provide
  Arbitrary<byte[]> framed() {
    Arbitrary<Integer> ids =
        Arbitraries.oneOf(Arbitraries.integers().between(-2, 5), Arbitraries.integers());
    Arbitrary<byte[]> bodies = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    return Combinators.combine(ids, bodies)
        .as(
            (id, body) ->
                ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array());
  }

  @Provide
  Arbitrary<byte[]> anyBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
  }

  /** A valid record of each type with one byte changed or its tail cut. */
  @Provide
  Arbitrary<byte[]> mutated() {
    return Combinators.combine(
            Arbitraries.of(0, 1, 2),
            Arbitraries.integers().greaterOrEqual(0),
            Arbitraries.bytes(),
            Arbitraries.of(true, false))
        .as(
            (which, at, value, cut) -> {
              byte[] valid = List.of(validRaw, validFee, validLetter).get(which);
              int i = at % valid.length;
              if (cut) {
                return Arrays.copyOf(valid, i);
              }
              byte[] copy = valid.clone();
              copy[i] = value;
              return copy;
            });
  }

  @Property(tries = 3000)
  void shouldDecodeOrThrowSerializationExceptionForFramedBytes(@ForAll("framed") byte[] bytes) {
    assertOnlySerializationException(bytes);
  }

  @Property(tries = 3000)
  void shouldDecodeOrThrowSerializationExceptionForMutatedRecords(@ForAll("mutated") byte[] bytes) {
    assertOnlySerializationException(bytes);
  }

  @Property(tries = 1000)
  void shouldDecodeOrThrowSerializationExceptionForAnyBytes(@ForAll("anyBytes") byte[] bytes) {
    assertOnlySerializationException(bytes);
  }

  @Test
  void shouldRejectAnUnknownSchemaIdAsMalformed() {
    byte[] bytes = validFee.clone();
    ByteBuffer.wrap(bytes, 1, 4).putInt(4711);

    assertThatThrownBy(() -> fees.decode(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("schema id 4711");
  }

  @Test
  void shouldRejectACollectionOfBillionsOfItemsWithoutAllocatingIt() throws Exception {
    // A RawChainLog whose topics array claims 2^31 - 1 items, in 40 bytes.
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(body, null);
    e.writeLong(1337);
    e.writeLong(7);
    e.writeString("0x01");
    e.writeLong(1);
    e.writeString("0x02");
    e.writeInt(0);
    e.writeBoolean(false);
    e.writeString("0x03");
    e.writeArrayStart();
    e.setItemCount(Integer.MAX_VALUE);
    e.flush();
    byte[] bytes = Arrays.copyOf(validRaw, 5 + body.size());
    System.arraycopy(body.toByteArray(), 0, bytes, 5, body.size());

    assertThatThrownBy(() -> raw.decode(bytes)).isInstanceOf(SerializationException.class);
  }

  @Test
  void shouldLetARegistryOutageThroughAsRetriableNotMalformed() {
    SchemaRegistry down =
        new SchemaRegistry() {
          @Override
          public int register(String subject, Schema schema) {
            return 1;
          }

          @Override
          public Schema schemaById(int id) {
            throw new SchemaRegistryException(0, "GET schemas/ids/1 failed: connection refused");
          }
        };
    var serde = new ConfluentAvroSerde<>(Topics.FEE_ESCROWED, down, FeeEscrowed.class);

    assertThatThrownBy(() -> serde.decode(validFee))
        .isInstanceOf(SchemaRegistryException.class)
        .isNotInstanceOf(SerializationException.class);
  }

  private void assertOnlySerializationException(byte[] bytes) {
    for (ConfluentAvroSerde<?> serde : List.of(raw, fees, letters)) {
      try {
        assertThat(serde.decode(bytes)).isNotNull();
      } catch (SerializationException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      }
    }
  }

  private static ChainPosition position() {
    return ChainPosition.newBuilder()
        .setChainId(1337)
        .setBlockNumber(7)
        .setBlockHash("0x01")
        .setBlockTimestamp(1)
        .setTxHash("0x02")
        .setLogIndex(0)
        .build();
  }

  private static RawChainLog rawLog() {
    return RawChainLog.newBuilder()
        .setPosition(position())
        .setRemoved(false)
        .setAddress("0x03")
        .setTopics(List.of("0x" + "ab".repeat(32), "0x" + "cd".repeat(32)))
        .setData(ByteBuffer.wrap(new byte[] {1, 2, 3}))
        .build();
  }

  private static FeeEscrowed fee() {
    return FeeEscrowed.newBuilder()
        .setPosition(position())
        .setRemoved(false)
        .setAmount(BigDecimal.TEN)
        .setEscrowed(BigDecimal.TEN)
        .build();
  }

  private static DeadLetter letter() {
    return DeadLetter.newBuilder()
        .setStage("decoder")
        .setReason("r")
        .setSourceTopic("t")
        .setSourcePartition(0)
        .setSourceOffset(1L)
        .setKey(ByteBuffer.wrap(new byte[] {1}))
        .setValue(ByteBuffer.wrap(new byte[] {2}))
        .setPosition(position())
        .build();
  }
}
