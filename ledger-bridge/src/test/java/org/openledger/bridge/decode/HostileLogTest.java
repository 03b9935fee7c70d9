package org.openledger.bridge.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.contracts.DatanetRegistry;
import org.openledger.bridge.contracts.InferenceMarket;
import org.openledger.bridge.contracts.ModelRegistry;
import org.openledger.bridge.contracts.ProtocolParams;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.bridge.decode.DecodeResult.Failed;
import org.openledger.bridge.decode.DecodeResult.Ignored;
import org.openledger.events.RawChainLog;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.crypto.Hash;

/**
 * Logs anyone can make: a real event signature from a contract of their own, and logs of the
 * project's contracts carrying absurd values or malformed ABI data. None may become a typed event;
 * a foreign or unknown event is ignored, a bad value is a failure whose reason names the field.
 */
class HostileLogTest {

  static final BigInteger UINT256_MAX = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
  static final String REGISTRY = "0x00000000000000000000000000000000000000d1";
  static final String MODELS = "0x00000000000000000000000000000000000000d2";
  static final String MARKET = "0x00000000000000000000000000000000000000d3";
  static final String PARAMS = "0x00000000000000000000000000000000000000d4";
  static final String SETTLEMENT = "0x00000000000000000000000000000000000000d5";
  static final String FOREIGN = "0x00000000000000000000000000000000000000ee";
  static final String ALICE = "0x00000000000000000000000000000000000000aa";
  static final String ZERO = "0x0000000000000000000000000000000000000000";

  static final Map<String, String> DEPLOYMENT =
      Map.of(
          "DatanetRegistry", REGISTRY,
          "ModelRegistry", MODELS,
          "InferenceMarket", MARKET,
          "ProtocolParams", PARAMS,
          "Settlement", SETTLEMENT);

  private final ChainEventDecoder decoder = new ChainEventDecoder(DEPLOYMENT);

  static RawChainLog inferencePaid(
      String address, BigInteger inferenceId, BigInteger fee, String uri) {
    return RawLogFixtures.log(
        address,
        InferenceMarket.INFERENCEPAID_EVENT,
        List.of(new Uint256(inferenceId), new Uint256(1), new Address(ALICE)),
        List.of(new Uint256(fee), new Bytes32(nonZero32()), new Utf8String(uri)));
  }

  static RawChainLog contribution(long contributionId, long datanetId, String contributor) {
    return RawLogFixtures.log(
        REGISTRY,
        DatanetRegistry.DATACONTRIBUTED_EVENT,
        List.of(new Uint256(contributionId), new Uint256(datanetId), new Address(contributor)),
        List.of(new Bytes32(nonZero32()), new Utf8String("file:///c"), new Uint256(10)));
  }

  static RawChainLog model(List<Long> datanetIds, int method) {
    return model(datanetIds, method, "");
  }

  static RawChainLog model(List<Long> datanetIds, int method, String encoder) {
    return RawLogFixtures.log(
        MODELS,
        ModelRegistry.MODELREGISTERED_EVENT,
        List.of(new Uint256(7), new Address(ALICE)),
        List.of(
            new DynamicArray<>(Uint256.class, datanetIds.stream().map(Uint256::new).toList()),
            new Uint8(method),
            new Utf8String("m"),
            new Utf8String(encoder)));
  }

  /**
   * ParamsChanged with the given values in declaration order after the version; the share rule
   * LINEAR (0, 0) unless two more values give it.
   */
  static RawChainLog params(long... v) {
    long rule = v.length > 9 ? v[9] : 0;
    long ruleParam = v.length > 10 ? v[10] : 0;
    return RawLogFixtures.log(
        PARAMS,
        ProtocolParams.PARAMSCHANGED_EVENT,
        List.of(new Uint64(1)),
        List.of(
            new Uint16(v[0]),
            new Uint16(v[1]),
            new Uint16(v[2]),
            new Uint16(v[3]),
            new Uint32(v[4]),
            new Uint32(v[5]),
            new Uint256(v[6]),
            new Uint64(v[7]),
            new Uint32(v[8]),
            new Uint8(rule),
            new Uint32(ruleParam)));
  }

  static RawChainLog batch(List<String> payees, List<BigInteger> amounts, BigInteger total) {
    return RawLogFixtures.log(
        SETTLEMENT,
        Settlement.BATCHSETTLED_EVENT,
        List.of(new Bytes32(nonZero32())),
        List.of(
            new Bytes32(nonZero32()),
            new Uint256(total),
            new DynamicArray<>(Address.class, payees.stream().map(Address::new).toList()),
            new DynamicArray<>(Uint256.class, amounts.stream().map(Uint256::new).toList())));
  }

  static byte[] nonZero32() {
    byte[] b = new byte[32];
    b[31] = 1;
    return b;
  }

  static byte[] data(RawChainLog raw) {
    byte[] data = new byte[raw.getData().remaining()];
    raw.getData().duplicate().get(data);
    return data;
  }

  static RawChainLog withData(RawChainLog raw, byte[] data) {
    return RawChainLog.newBuilder(raw).setData(ByteBuffer.wrap(data)).build();
  }

  /** {@code data} with the 32-byte word at {@code index} replaced by {@code value}. */
  static byte[] setWord(byte[] data, int index, BigInteger value) {
    byte[] copy = data.clone();
    byte[] word = new byte[32];
    byte[] v = value.toByteArray();
    int n = Math.min(v.length, 32);
    System.arraycopy(v, v.length - n, word, 32 - n, n);
    System.arraycopy(word, 0, copy, index * 32, 32);
    return copy;
  }

  private String reason(RawChainLog raw) {
    DecodeResult result = decoder.decode(raw);
    assertThat(result).isInstanceOf(Failed.class);
    return ((Failed) result).reason();
  }

  @Test
  void shouldIgnoreInferencePaidWhenAForeignContractEmitsIt() {
    RawChainLog forged = inferencePaid(FOREIGN, BigInteger.ONE, BigInteger.TEN, "u");

    assertThat(decoder.decode(forged)).isInstanceOf(Ignored.class);
    assertThat(decoder.decode(inferencePaid(MARKET, BigInteger.ONE, BigInteger.TEN, "u")))
        .isInstanceOf(DecodeResult.Decoded.class);
  }

  @Test
  void shouldIgnoreBatchSettledWhenAForeignContractEmitsIt() {
    RawChainLog forged =
        RawChainLog.newBuilder(batch(List.of(ALICE), List.of(BigInteger.TEN), BigInteger.TEN))
            .setAddress(FOREIGN)
            .build();

    assertThat(decoder.decode(forged)).isInstanceOf(Ignored.class);
  }

  @Test
  void shouldIgnoreAnUnknownEventWhenAKnownContractEmitsIt() {
    // A newer ProtocolParams may emit events this build does not know (e.g. MinimumsChanged).
    RawChainLog base = params(7000, 2000, 1000, 8, 500_000, 950_000, 0, 20, 100);
    List<String> topics = new ArrayList<>(base.getTopics());
    topics.set(0, Hash.sha3String("MinimumsChanged(uint256,uint256,uint256)"));
    RawChainLog unknown = RawChainLog.newBuilder(base).setTopics(topics).build();
    RawChainLog anonymous = RawChainLog.newBuilder(base).setTopics(List.of()).build();

    assertThat(decoder.decode(unknown)).isInstanceOf(Ignored.class);
    assertThat(decoder.decode(anonymous)).isInstanceOf(Ignored.class);
  }

  @Test
  void shouldFailNamingTheFieldWhenTheAttributionMethodIsOutOfRange() {
    assertThat(reason(model(List.of(1L), 3)))
        .isEqualTo("ModelRegistered.method: unknown attribution method 3");
  }

  @Test
  void shouldFailNamingTheFieldWhenTheEncoderIsNotAnEncoderId() {
    // The registry refuses both; a log with them did not come from it.
    assertThat(reason(model(List.of(1L), 0, "../../etc/passwd")))
        .isEqualTo("ModelRegistered.encoder: not [a-z0-9.-]");
    assertThat(reason(model(List.of(1L), 0, "a".repeat(65))))
        .isEqualTo("ModelRegistered.encoder: 65 bytes, over 64");
    assertThat(reason(model(List.of(1L), 0, "Minilm\n")))
        .isEqualTo("ModelRegistered.encoder: not [a-z0-9.-]");
  }

  @Test
  void shouldFailNamingTheFieldWhenAnIdIsUint256MaxOrZero() {
    assertThat(reason(inferencePaid(MARKET, UINT256_MAX, BigInteger.TEN, "u")))
        .startsWith("InferencePaid.inferenceId: " + UINT256_MAX + " does not fit a 64-bit id");
    assertThat(reason(inferencePaid(MARKET, BigInteger.ZERO, BigInteger.TEN, "u")))
        .isEqualTo("InferencePaid.inferenceId: 0 is not an id (ids start at 1)");
    assertThat(reason(contribution(1, 0, ALICE)))
        .isEqualTo("DataContributed.datanetId: 0 is not an id (ids start at 1)");
    assertThat(reason(model(List.of(3L, 0L), 0)))
        .isEqualTo("ModelRegistered.datanetIds[1]: 0 is not an id (ids start at 1)");
  }

  @Test
  void shouldFailWhenAnAmountDoesNotFitTheAnalyticsDecimal() {
    assertThat(reason(inferencePaid(MARKET, BigInteger.ONE, UINT256_MAX, "u")))
        .startsWith("InferencePaid.fee: " + UINT256_MAX + " wei is more than");
  }

  @Test
  void shouldFailWhenAPayeeOrActorIsTheZeroAddress() {
    assertThat(reason(contribution(1, 1, ZERO)))
        .isEqualTo("DataContributed.contributor: the zero address");
    assertThat(
            reason(
                batch(
                    List.of(ALICE, ZERO), List.of(BigInteger.ONE, BigInteger.ONE), BigInteger.TWO)))
        .isEqualTo("BatchSettled.payees[1]: the zero address");
    assertThat(
            reason(
                RawLogFixtures.log(
                    MODELS,
                    ModelRegistry.MODELOWNERCHANGED_EVENT,
                    List.of(new Uint256(7), new Address(ALICE), new Address(ZERO)),
                    List.of())))
        .isEqualTo("ModelOwnerChanged.newOwner: the zero address");
  }

  @Test
  void shouldFailWhenParamsBreakTheRulesTheContractEnforces() {
    assertThat(reason(params(10_001, 0, 0, 8, 500_000, 950_000, 0, 20, 100)))
        .isEqualTo("ParamsChanged.contributorBps: 10001 is outside 0..10000");
    assertThat(reason(params(7000, 2000, 2000, 8, 500_000, 950_000, 0, 20, 100)))
        .isEqualTo("ParamsChanged.protocolBps: the bps sum to 11000, not 10000");
    assertThat(reason(params(7000, 2000, 1000, 0, 500_000, 950_000, 0, 20, 100)))
        .isEqualTo("ParamsChanged.topK: 0 is outside 1..65535");
    assertThat(reason(params(7000, 2000, 1000, 8, 1_000_001, 950_000, 0, 20, 100)))
        .isEqualTo("ParamsChanged.similarityThresholdPpm: 1000001 is outside 0..1000000");
    assertThat(reason(params(7000, 2000, 1000, 8, 500_000, 4_294_967_295L, 0, 20, 100)))
        .isEqualTo("ParamsChanged.duplicateBoundPpm: 4294967295 is outside 0..1000000");
    assertThat(reason(params(7000, 2000, 1000, 8, 500_000, 950_000, 0, 0, 100)))
        .isEqualTo("ParamsChanged.settlementWindowBlocks: 0 is outside 1..9223372036854775807");
    assertThat(reason(params(7000, 2000, 1000, 8, 500_000, 950_000, 0, 20, 4_294_967_295L)))
        .isEqualTo("ParamsChanged.maxPayeesPerBatch: 4294967295 is outside 1..2147483647");
  }

  @Test
  void shouldFailWhenTheShareRuleOrItsParameterIsOutsideWhatTheContractAllows() {
    assertThat(reason(params(7000, 2000, 1000, 8, 500_000, 950_000, 0, 20, 100, 3, 0)))
        .isEqualTo("ParamsChanged.shareRule: unknown share rule 3");
    assertThat(reason(params(7000, 2000, 1000, 8, 500_000, 950_000, 0, 20, 100, 255, 0)))
        .isEqualTo("ParamsChanged.shareRule: unknown share rule 255");
    assertThat(reason(params(7000, 2000, 1000, 8, 500_000, 950_000, 0, 20, 100, 2, 0)))
        .isEqualTo("ParamsChanged.shareRuleParam: POWER takes an exponent of 1 to 8, not 0");
    assertThat(reason(params(7000, 2000, 1000, 8, 500_000, 950_000, 0, 20, 100, 2, 9)))
        .isEqualTo("ParamsChanged.shareRuleParam: POWER takes an exponent of 1 to 8, not 9");
    assertThat(reason(params(7000, 2000, 1000, 8, 500_000, 950_000, 0, 20, 100, 2, 4_294_967_295L)))
        .isEqualTo(
            "ParamsChanged.shareRuleParam: POWER takes an exponent of 1 to 8, not 4294967295");
    assertThat(reason(params(7000, 2000, 1000, 8, 500_000, 950_000, 0, 20, 100, 0, 1)))
        .isEqualTo("ParamsChanged.shareRuleParam: LINEAR takes no parameter (0), not 1");
    assertThat(reason(params(7000, 2000, 1000, 8, 500_000, 950_000, 0, 20, 100, 1, 2)))
        .isEqualTo("ParamsChanged.shareRuleParam: TOP1 takes no parameter (0), not 2");
  }

  @Test
  void shouldFailWhenTheShareRuleWordHasDirtyHighBits() {
    RawChainLog good = params(7000, 2000, 1000, 8, 500_000, 950_000, 0, 20, 100, 1, 0);
    // Data words: the 9 fields after the version, then shareRule (word 9).
    byte[] dirty = setWord(data(good), 9, BigInteger.ONE.shiftLeft(8).add(BigInteger.ONE));

    assertThat(reason(withData(good, dirty)))
        .isEqualTo("ParamsChanged.shareRule: 257 does not fit uint8");
  }

  @Test
  void shouldFailWhenABatchIsInconsistent() {
    assertThat(
            reason(batch(List.of(ALICE), List.of(BigInteger.ONE, BigInteger.ONE), BigInteger.TWO)))
        .isEqualTo("BatchSettled.amounts: 2 amounts for 1 payees");
    assertThat(reason(batch(List.of(ALICE), List.of(BigInteger.ONE), BigInteger.TWO)))
        .isEqualTo("BatchSettled.total: 2 is not the sum of the amounts (1)");
    assertThat(reason(batch(List.of(), List.of(), BigInteger.ZERO)))
        .isEqualTo("BatchSettled.payees: an empty batch");
  }

  @Test
  void shouldFailNamingTheFieldWhenTheDataIsTruncated() {
    byte[] data = data(inferencePaid(MARKET, BigInteger.ONE, BigInteger.TEN, "hello"));
    RawChainLog headOnly =
        withData(inferencePaid(MARKET, BigInteger.ONE, BigInteger.TEN, "u"), slice(data, 64));
    RawChainLog noTail =
        withData(inferencePaid(MARKET, BigInteger.ONE, BigInteger.TEN, "u"), slice(data, 96));

    assertThat(reason(headOnly)).isEqualTo("InferencePaid.queryUri: the data ends at byte 64");
    assertThat(reason(noTail))
        .isEqualTo("InferencePaid.queryUri: offset 96 points outside the 96-byte data");
  }

  @Test
  void shouldFailNamingTheFieldWhenAnOffsetOrLengthPointsOutsideTheData() {
    RawChainLog good = inferencePaid(MARKET, BigInteger.ONE, BigInteger.TEN, "hello");
    byte[] data = data(good);

    assertThat(reason(withData(good, setWord(data, 2, BigInteger.valueOf(4096)))))
        .isEqualTo("InferencePaid.queryUri: offset 4096 points outside the 160-byte data");
    assertThat(reason(withData(good, setWord(data, 2, UINT256_MAX))))
        .startsWith("InferencePaid.queryUri: offset " + UINT256_MAX + " points outside");
    assertThat(reason(withData(good, setWord(data, 3, BigInteger.valueOf(1000)))))
        .isEqualTo("InferencePaid.queryUri: length 1000 at byte 96 runs past the 160-byte data");
    assertThat(reason(withData(good, setWord(data, 3, UINT256_MAX))))
        .startsWith("InferencePaid.queryUri: length " + UINT256_MAX);
  }

  @Test
  void shouldFailWithoutAllocatingWhenAnArrayClaimsAHugeLength() {
    RawChainLog good = model(List.of(1L, 2L), 0);
    byte[] data = data(good);
    // Head: offset of datanetIds, method, offsets of name and encoder; then the array's length.
    int lengthWord = new BigInteger(1, slice(data, 32)).intValueExact() / 32;

    assertThat(reason(withData(good, setWord(data, lengthWord, BigInteger.TWO.pow(62)))))
        .startsWith("ModelRegistered.datanetIds: length 4611686018427387904 at byte 128 runs past");
  }

  @Test
  void shouldFailWhenAStringIsNotUtf8() {
    RawChainLog good = inferencePaid(MARKET, BigInteger.ONE, BigInteger.TEN, "hello");
    byte[] data = data(good);
    byte[] bad = data.clone();
    bad[4 * 32] = (byte) 0xff; // first byte of "hello"

    assertThat(reason(withData(good, bad))).isEqualTo("InferencePaid.queryUri: not valid UTF-8");
  }

  @Test
  void shouldFailWhenASmallUintOrAnAddressWordHasDirtyHighBits() {
    RawChainLog good = params(7000, 2000, 1000, 8, 500_000, 950_000, 0, 20, 100);
    byte[] dirty = setWord(data(good), 3, BigInteger.ONE.shiftLeft(16).add(BigInteger.valueOf(8)));
    RawChainLog contribution = contribution(1, 1, ALICE);
    List<String> topics = new ArrayList<>(contribution.getTopics());
    topics.set(3, "0x" + "01".repeat(12) + ALICE.substring(2));

    assertThat(reason(withData(good, dirty)))
        .isEqualTo("ParamsChanged.topK: 65544 does not fit uint16");
    assertThat(reason(RawChainLog.newBuilder(contribution).setTopics(topics).build()))
        .isEqualTo("DataContributed.contributor: not an address (high bytes set)");
  }

  @Test
  void shouldFailWhenATopicIsMalformedOrThereAreExtraTopics() {
    RawChainLog good = contribution(1, 1, ALICE);
    List<String> shortTopic = new ArrayList<>(good.getTopics());
    shortTopic.set(1, "0x01");
    List<String> extra = new ArrayList<>(good.getTopics());
    extra.add("0x" + "00".repeat(32));

    assertThat(reason(RawChainLog.newBuilder(good).setTopics(shortTopic).build()))
        .isEqualTo("DataContributed.contributionId: topic is not 32 bytes of hex");
    assertThat(reason(RawChainLog.newBuilder(good).setTopics(extra).build()))
        .isEqualTo("DataContributed with 5 topics, expected 4");
  }

  private static byte[] slice(byte[] data, int length) {
    return java.util.Arrays.copyOf(data, length);
  }
}
