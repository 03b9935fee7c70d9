package org.openledger.flink.payment;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openledger.flink.domain.FeeSplit;
import org.openledger.flink.domain.PaymentParams;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.flink.domain.SettlementWindows;

/**
 * The ledger's compact state serializer gives back exactly what it was given: amounts from 0 to
 * 2^256-1 to the wei, hashes and addresses (hex or not, any case), every kind of input, accruals
 * that share their fee's position and those that do not, batches with their leaf hashes.
 */
class LedgerSerializerTest {

  static final BigInteger MAX_UINT256 = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);

  @Property(tries = 500)
  void shouldRoundTripAnInputExactlyWhenAmountsSpanUint256(@ForAll("inputs") PaymentInput in)
      throws Exception {
    assertThat(roundTrip(LedgerSerializer.inputs(), in)).isEqualTo(in);
  }

  @Property(tries = 300)
  void shouldRoundTripAnAccruedInferenceExactlyWhenItsAccrualsShareOrNotItsPosition(
      @ForAll("inputs") PaymentInput fee,
      @ForAll("leaves") List<PayoutLeaf> leaves,
      @ForAll("positions") Position other)
      throws Exception {
    List<Accrual> accruals = new ArrayList<>();
    for (int i = 0; i < leaves.size(); i++) {
      Position at = i % 3 == 2 ? other : fee.position();
      accruals.add(new Accrual(leaves.get(i), at, 7 + i, i, i % 2 == 0));
    }
    Accrued accrued = new Accrued(fee, List.copyOf(accruals));
    assertThat(roundTrip(LedgerSerializer.accrued(), accrued)).isEqualTo(accrued);
    for (Accrual a : accruals) {
      assertThat(roundTrip(LedgerSerializer.accruals(), a)).isEqualTo(a);
    }
  }

  @Property(tries = 200)
  void shouldRoundTripABatchAndItsLeavesExactly(
      @ForAll("leaves") List<PayoutLeaf> leaves, @ForAll("amounts") BigInteger total)
      throws Exception {
    List<String> payees = leaves.stream().map(PayoutLeaf::payee).toList();
    List<BigInteger> amounts = leaves.stream().map(PayoutLeaf::amount).toList();
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < leaves.size(); i++) {
      hashes.add(String.format("0x%064x", i * 7919L));
    }
    var batch =
        new PayoutBatcher.Batch(
            "0x" + "ab".repeat(32),
            1337,
            new SettlementWindows.Window(20, 39),
            0,
            1,
            payees,
            amounts,
            total,
            "0x" + "cd".repeat(32),
            leaves,
            hashes);
    assertThat(roundTrip(LedgerSerializer.batches(), batch)).isEqualTo(batch);
    for (int i = 0; i < leaves.size(); i++) {
      BatchLeaf leaf = new BatchLeaf(batch.batchId(), leaves.get(i), hashes.get(i));
      assertThat(roundTrip(LedgerSerializer.batchLeaves(), leaf)).isEqualTo(leaf);
    }
  }

  @Property(tries = 300)
  void shouldRoundTripAnyStringWhenItOnlyLooksLikeHex(@ForAll("strings") String s)
      throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    LedgerCodec.writeString(s, out);
    assertThat(LedgerCodec.readString(new DataInputDeserializer(out.getCopyOfBuffer())))
        .isEqualTo(s);
  }

  static <T> T roundTrip(TypeInformation<T> info, T value) throws Exception {
    TypeSerializer<T> serializer = LedgerSerializer.of(info);
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer.serialize(value, out);
    // and through a snapshot of the serializer, as a restore reads it
    TypeSerializer<T> restored = serializer.snapshotConfiguration().restoreSerializer();
    return restored.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }

  @Provide
  Arbitrary<BigInteger> amounts() {
    return Arbitraries.oneOf(
        Arbitraries.bigIntegers().between(BigInteger.ZERO, MAX_UINT256),
        Arbitraries.of(BigInteger.ZERO, BigInteger.ONE, MAX_UINT256, BigInteger.TWO.pow(255)),
        Arbitraries.integers()
            .between(0, 256)
            .map(b -> BigInteger.TWO.pow(b).subtract(BigInteger.ONE)));
  }

  @Provide
  Arbitrary<String> strings() {
    Arbitrary<String> hexish =
        Arbitraries.strings().withChars("0123456789abcdefABx:").ofMaxLength(70).map(s -> "0x" + s);
    return Arbitraries.oneOf(
        hexish,
        Arbitraries.strings().ofMaxLength(80),
        Arbitraries.just(null),
        Arbitraries.just(""));
  }

  Arbitrary<String> hashes() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("0123456789abcdef").ofLength(64).map(s -> "0x" + s),
        strings().filter(s -> s != null));
  }

  Arbitrary<String> addresses() {
    return Arbitraries.strings().withChars("0123456789abcdef").ofLength(40).map(s -> "0x" + s);
  }

  @Provide
  Arbitrary<Position> positions() {
    return Combinators.combine(
            Arbitraries.longs(),
            Arbitraries.longs().between(0, Long.MAX_VALUE),
            hashes(),
            Arbitraries.longs(),
            hashes(),
            Arbitraries.integers())
        .as(Position::new);
  }

  @Provide
  Arbitrary<List<PayoutLeaf>> leaves() {
    Arbitrary<PayoutLeaf> leaf =
        Combinators.combine(
                addresses(),
                Arbitraries.longs(),
                Arbitraries.of(PayoutLeaf.PayeeRole.class),
                Arbitraries.longs(),
                Arbitraries.of(true, false),
                amounts())
            .as(PayoutLeaf::new);
    return leaf.list().ofMaxSize(8);
  }

  @Provide
  Arbitrary<PaymentInput> inputs() {
    Arbitrary<FeeSplit.Share> share =
        Combinators.combine(Arbitraries.longs(), hashes(), Arbitraries.longs())
            .as(FeeSplit.Share::new);
    Arbitrary<PaymentInput.Fee> fee =
        Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), amounts())
            .as(PaymentInput.Fee::new);
    Arbitrary<PaymentInput.Result> result =
        Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), share.list().ofMaxSize(6))
            .as((i, m, s) -> new PaymentInput.Result(i, m, List.copyOf(s)));
    Arbitrary<PaymentParams> params =
        Combinators.combine(
                Arbitraries.longs(),
                Arbitraries.longs(),
                strings(),
                Arbitraries.integers().between(0, 10_000),
                amounts(),
                Arbitraries.longs().between(1, 1_000),
                Arbitraries.integers().between(1, 500))
            .as(
                (v, b, id, c, min, w, max) ->
                    new PaymentParams(v, b, id, new FeeSplit.Bps(c, 10_000 - c, 0), min, w, max));
    Arbitrary<PaymentInput.Owner> owner =
        Combinators.combine(Arbitraries.longs(), strings()).as(PaymentInput.Owner::new);
    return Combinators.combine(
            Arbitraries.of(PaymentInput.Kind.class),
            Arbitraries.of(true, false),
            positions(),
            fee.injectNull(0.4),
            result.injectNull(0.4),
            params.injectNull(0.7),
            owner.injectNull(0.7))
        .as(PaymentInput::new);
  }
}
