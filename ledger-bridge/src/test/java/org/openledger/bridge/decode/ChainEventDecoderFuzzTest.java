package org.openledger.bridge.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.openledger.bridge.decode.DecodeResult.Decoded;
import org.openledger.bridge.decode.DecodeResult.Failed;
import org.openledger.bridge.decode.DecodeResult.Ignored;
import org.openledger.events.RawChainLog;
import org.web3j.abi.EventEncoder;
import org.web3j.utils.Numeric;

/**
 * Random bytes as the topics and data of every consumed event, emitted by the contract that owns
 * it: the decoder answers a typed event, an ignored log or a failure with a reason, and never
 * throws. Data is built from words that make offsets and lengths land inside, at and past the end.
 */
class ChainEventDecoderFuzzTest {

  private static final BigInteger UINT256_MAX = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
  private static final List<EventMappings.Spec> SPECS = EventMappings.consumed();

  private final ChainEventDecoder decoder = new ChainEventDecoder(HostileLogTest.DEPLOYMENT);

  /** A word an attacker would try: small counts and offsets, bounds, all ones, random. */
  @Provide
  Arbitrary<byte[]> words() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, 700).map(i -> word(BigInteger.valueOf(i))),
        Arbitraries.integers().between(0, 24).map(i -> word(BigInteger.valueOf(32L * i))),
        Arbitraries.of(
                BigInteger.ZERO,
                BigInteger.ONE,
                BigInteger.valueOf(Integer.MAX_VALUE),
                BigInteger.valueOf(Long.MAX_VALUE),
                BigInteger.TWO.pow(64),
                BigInteger.TEN.pow(38),
                UINT256_MAX)
            .map(ChainEventDecoderFuzzTest::word),
        Arbitraries.bytes().array(byte[].class).ofSize(32));
  }

  @Provide
  Arbitrary<byte[]> data() {
    Arbitrary<byte[]> wordData =
        words()
            .list()
            .ofMaxSize(24)
            .map(
                ws -> {
                  ByteBuffer b = ByteBuffer.allocate(ws.size() * 32);
                  ws.forEach(b::put);
                  return b.array();
                });
    Arbitrary<byte[]> anyBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
    Arbitrary<byte[]> utf8ish =
        Combinators.combine(wordData, Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
            .as(ChainEventDecoderFuzzTest::concatPadded);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, wordData),
        net.jqwik.api.Tuple.of(2, anyBytes),
        net.jqwik.api.Tuple.of(2, utf8ish));
  }

  @Provide
  Arbitrary<String> topics() {
    return Arbitraries.oneOf(
        words().map(Numeric::toHexString),
        Arbitraries.strings().ofMaxLength(70),
        Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofLength(64).map(s -> "0x" + s));
  }

  @Provide
  Arbitrary<List<String>> topicLists() {
    return topics().list().ofMaxSize(5);
  }

  @Provide
  Arbitrary<EventMappings.Spec> specs() {
    return Arbitraries.of(SPECS);
  }

  @Property(tries = 3000)
  void shouldNeverThrowOnRandomTopicsAndDataOfAKnownEvent(
      @ForAll("specs") EventMappings.Spec spec,
      @ForAll("topicLists") List<String> extraTopics,
      @ForAll("data") byte[] data) {
    List<String> topics = new ArrayList<>();
    topics.add(EventEncoder.encode(spec.abi()));
    topics.addAll(extraTopics);
    RawChainLog raw = raw(address(spec), topics, data);

    assertWellFormed(raw, decoder.decode(raw));
  }

  @Property(tries = 3000)
  void shouldNeverThrowWhenOneWordOfAValidLogIsReplacedOrItIsCut(
      @ForAll("specs") EventMappings.Spec spec,
      @ForAll("words") byte[] word,
      @ForAll int position,
      @ForAll boolean cut) {
    RawChainLog valid = ValidLogs.of(spec);
    byte[] data = HostileLogTest.data(valid);
    if (data.length == 0) {
      return;
    }
    int at = Math.floorMod(position, data.length);
    byte[] mutated;
    if (cut) {
      mutated = java.util.Arrays.copyOf(data, at);
    } else {
      mutated = data.clone();
      int wordAt = at - at % 32;
      System.arraycopy(word, 0, mutated, wordAt, 32);
    }
    RawChainLog raw = HostileLogTest.withData(valid, mutated);

    assertWellFormed(raw, decoder.decode(raw));
  }

  @Property(tries = 1000)
  void shouldIgnoreEveryConsumedEventWhenAForeignContractEmitsIt(
      @ForAll("specs") EventMappings.Spec spec) {
    RawChainLog forged =
        RawChainLog.newBuilder(ValidLogs.of(spec)).setAddress(HostileLogTest.FOREIGN).build();

    assertThat(decoder.decode(forged)).isInstanceOf(Ignored.class);
    assertThat(decoder.decode(ValidLogs.of(spec))).isInstanceOf(Decoded.class);
  }

  private static void assertWellFormed(RawChainLog raw, DecodeResult result) {
    assertThat(result).isNotNull();
    if (result instanceof Failed f) {
      assertThat(f.reason()).isNotBlank();
    } else if (result instanceof Decoded d) {
      assertThat(((org.apache.avro.generic.GenericRecord) d.event()).get("position"))
          .isEqualTo(raw.getPosition());
    }
  }

  private static String address(EventMappings.Spec spec) {
    return HostileLogTest.DEPLOYMENT.get(spec.contract());
  }

  private static RawChainLog raw(String address, List<String> topics, byte[] data) {
    return RawChainLog.newBuilder(HostileLogTest.contribution(1, 1, HostileLogTest.ALICE))
        .setAddress(address)
        .setTopics(topics)
        .setData(ByteBuffer.wrap(data))
        .build();
  }

  private static byte[] word(BigInteger value) {
    byte[] word = new byte[32];
    byte[] v = value.toByteArray();
    int n = Math.min(v.length, 32);
    System.arraycopy(v, v.length - n, word, 32 - n, n);
    return word;
  }

  private static byte[] concatPadded(byte[] head, byte[] tail) {
    int padded = (tail.length + 31) / 32 * 32;
    byte[] out = new byte[head.length + padded];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }
}
