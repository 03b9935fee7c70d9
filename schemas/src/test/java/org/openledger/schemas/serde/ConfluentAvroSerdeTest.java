package org.openledger.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.openledger.events.ChainPosition;
import org.openledger.events.FeeEscrowed;
import org.openledger.schemas.Topics;
import org.openledger.testing.InMemorySchemaRegistry;

class ConfluentAvroSerdeTest {

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final ConfluentAvroSerde<FeeEscrowed> serde =
      new ConfluentAvroSerde<>(Topics.FEE_ESCROWED, registry, FeeEscrowed.class);

  @Property(tries = 300)
  void shouldRoundTripExactUint256Amounts(
      @ForAll
          @BigRange(
              min = "0",
              max =
                  "115792089237316195423570985008687907853269984665640564039457584007913129639935")
          BigInteger amount) {
    FeeEscrowed event = fee(amount);

    assertThat(serde.decode(serde.encode(event))).isEqualTo(event);
  }

  @Test
  void shouldFrameWithMagicByteAndSchemaId() {
    byte[] bytes = serde.encode(fee(BigInteger.ONE));

    assertThat(bytes[0]).isZero();
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt())
        .isEqualTo(registry.register("x", FeeEscrowed.getClassSchema()));
  }

  @Test
  void shouldRejectUnframedOrTruncatedBytesWithAClearError() {
    assertThatThrownBy(() -> serde.decode(new byte[] {1, 2, 3}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not Confluent-framed Avro (3 bytes)");
    byte[] good = serde.encode(fee(BigInteger.TEN));
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
    assertThatThrownBy(() -> serde.decode(truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("cannot decode a FeeEscrowed");
  }

  private static FeeEscrowed fee(BigInteger amount) {
    return FeeEscrowed.newBuilder()
        .setPosition(
            ChainPosition.newBuilder()
                .setChainId(1337)
                .setBlockNumber(7)
                .setBlockHash("0x01")
                .setBlockTimestamp(1)
                .setTxHash("0x02")
                .setLogIndex(0)
                .build())
        .setRemoved(false)
        .setAmount(new BigDecimal(amount))
        .setEscrowed(new BigDecimal(amount))
        .build();
  }
}
