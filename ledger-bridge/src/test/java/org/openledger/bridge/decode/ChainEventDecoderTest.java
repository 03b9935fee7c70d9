package org.openledger.bridge.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.contracts.DatanetRegistry;
import org.openledger.bridge.contracts.InferenceMarket;
import org.openledger.bridge.contracts.ModelRegistry;
import org.openledger.bridge.contracts.ProtocolParams;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.bridge.decode.DecodeResult.Decoded;
import org.openledger.bridge.decode.DecodeResult.Failed;
import org.openledger.bridge.decode.DecodeResult.Ignored;
import org.openledger.bridge.decode.DecodeResult.Why;
import org.openledger.events.AttributionMethod;
import org.openledger.events.BatchSettled;
import org.openledger.events.DataContributed;
import org.openledger.events.InferencePaid;
import org.openledger.events.ModelRegistered;
import org.openledger.events.ParamsChanged;
import org.openledger.events.RawChainLog;
import org.openledger.events.ShareRule;
import org.openledger.schemas.Topics;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.utils.Numeric;

/** ABI decoding of every kind of field, for random values including the uint256 extremes. */
class ChainEventDecoderTest {

  private static final BigInteger UINT256_MAX = HostileLogTest.UINT256_MAX;
  private static final String REGISTRY = "0x00000000000000000000000000000000000000d1";
  private static final String MODELS = "0x00000000000000000000000000000000000000d2";
  private static final String MARKET = "0x00000000000000000000000000000000000000d3";
  private static final String PARAMS = "0x00000000000000000000000000000000000000d4";
  private static final String SETTLEMENT = "0x00000000000000000000000000000000000000d5";

  private final ChainEventDecoder decoder =
      new ChainEventDecoder(
          Map.of(
              "DatanetRegistry", REGISTRY,
              "ModelRegistry", MODELS,
              "InferenceMarket", MARKET,
              "ProtocolParams", PARAMS,
              "Settlement", SETTLEMENT));

  /** Amounts up to the largest every consumer carries exactly (the OPEN supply is 10^27). */
  @Provide
  Arbitrary<BigInteger> wei() {
    return Arbitraries.oneOf(
        Arbitraries.of(BigInteger.ZERO, BigInteger.ONE, AbiValues.MAX_WEI, BigInteger.TEN.pow(27)),
        Arbitraries.bigIntegers().between(BigInteger.ZERO, AbiValues.MAX_WEI));
  }

  @Provide
  Arbitrary<Long> ids() {
    return Arbitraries.oneOf(
        Arbitraries.of(1L, 2L, Long.MAX_VALUE), Arbitraries.longs().greaterOrEqual(1));
  }

  /** Non-zero addresses: the accounts that act or are paid. */
  @Provide
  Arbitrary<String> addresses() {
    return Arbitraries.bytes()
        .array(byte[].class)
        .ofSize(20)
        .map(b -> Numeric.toHexString(b))
        .filter(a -> !a.equals("0x" + "0".repeat(40)));
  }

  @Provide
  Arbitrary<List<String>> payeeLists() {
    return addresses().list().ofMinSize(1).ofMaxSize(30);
  }

  @Provide
  Arbitrary<List<Long>> datanetIdLists() {
    return ids().list().ofMinSize(1).ofMaxSize(10);
  }

  @Provide
  Arbitrary<byte[]> bytes32() {
    return Arbitraries.bytes().array(byte[].class).ofSize(32);
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.strings().ofMaxLength(200);
  }

  @Property(tries = 1000)
  void shouldDecodeDataContributedFieldForField(
      @ForAll("ids") long contributionId,
      @ForAll("ids") long datanetId,
      @ForAll("addresses") String contributor,
      @ForAll("bytes32") byte[] contentHash,
      @ForAll("texts") String uri,
      @ForAll("wei") BigInteger stake) {
    RawChainLog raw =
        log(
            REGISTRY,
            DatanetRegistry.DATACONTRIBUTED_EVENT,
            List.of(new Uint256(contributionId), new Uint256(datanetId), new Address(contributor)),
            List.of(new Bytes32(contentHash), new Utf8String(uri), new Uint256(stake)));

    DataContributed event = (DataContributed) decoded(raw, Topics.DATA_CONTRIBUTED.name());

    assertThat(event.getContributionId()).isEqualTo(contributionId);
    assertThat(event.getDatanetId()).isEqualTo(datanetId);
    assertThat(event.getContributor()).isEqualTo(contributor);
    assertThat(event.getContentHash()).isEqualTo(Numeric.toHexString(contentHash));
    assertThat(event.getContentUri()).isEqualTo(uri);
    assertThat(event.getStake()).isEqualTo(new BigDecimal(stake));
    assertThat(event.getPosition()).isEqualTo(raw.getPosition());
  }

  @Property(tries = 1000)
  void shouldDecodeInferencePaidWithExactFees(
      @ForAll("ids") long inferenceId,
      @ForAll("ids") long modelId,
      @ForAll("addresses") String payer,
      @ForAll("wei") BigInteger fee,
      @ForAll("bytes32") byte[] queryHash,
      @ForAll("texts") String uri) {
    RawChainLog raw =
        log(
            MARKET,
            InferenceMarket.INFERENCEPAID_EVENT,
            List.of(new Uint256(inferenceId), new Uint256(modelId), new Address(payer)),
            List.of(new Uint256(fee), new Bytes32(queryHash), new Utf8String(uri)));

    InferencePaid event = (InferencePaid) decoded(raw, Topics.INFERENCE_PAID.name());

    assertThat(event.getFee().toBigIntegerExact()).isEqualTo(fee);
    assertThat(event.getInferenceId()).isEqualTo(inferenceId);
    assertThat(event.getModelId()).isEqualTo(modelId);
    assertThat(event.getPayer()).isEqualTo(payer);
    assertThat(event.getQueryUri()).isEqualTo(uri);
  }

  @Property(tries = 500)
  void shouldDecodeParamsChangedAtTheEdgesOfEachRule(
      @ForAll("ids") long version,
      @ForAll("wei") BigInteger minPayout,
      @ForAll @IntRange(min = 0, max = 2) int shareRule,
      @ForAll @IntRange(min = 1, max = 8) int exponent) {
    int ruleParam = shareRule == 2 ? exponent : 0;
    RawChainLog raw =
        log(
            PARAMS,
            ProtocolParams.PARAMSCHANGED_EVENT,
            List.of(new Uint64(BigInteger.valueOf(version))),
            List.of(
                new Uint16(7000),
                new Uint16(2000),
                new Uint16(1000),
                new Uint16(65535),
                new Uint32(1_000_000),
                new Uint32(0),
                new Uint256(minPayout),
                new Uint64(BigInteger.valueOf(Long.MAX_VALUE)),
                new Uint32(Integer.MAX_VALUE),
                new Uint8(shareRule),
                new Uint32(ruleParam)));

    ParamsChanged event = (ParamsChanged) decoded(raw, Topics.PARAMS_CHANGED.name());

    assertThat(event.getVersion()).isEqualTo(version);
    assertThat(event.getContributorBps() + event.getOwnerBps() + event.getProtocolBps())
        .isEqualTo(10_000);
    assertThat(event.getTopK()).isEqualTo(65535);
    assertThat(event.getSimilarityThresholdPpm()).isEqualTo(1_000_000L);
    assertThat(event.getDuplicateBoundPpm()).isZero();
    assertThat(event.getMinPayout().toBigIntegerExact()).isEqualTo(minPayout);
    assertThat(event.getSettlementWindowBlocks()).isEqualTo(Long.MAX_VALUE);
    assertThat(event.getMaxPayeesPerBatch()).isEqualTo(Integer.MAX_VALUE);
    assertThat(event.getShareRule())
        .isEqualTo(List.of(ShareRule.LINEAR, ShareRule.TOP1, ShareRule.POWER).get(shareRule));
    assertThat(event.getShareRuleParam()).isEqualTo(ruleParam);
  }

  @Property(tries = 500)
  void shouldDecodeBatchSettledArrays(
      @ForAll("bytes32") byte[] batchId,
      @ForAll("payeeLists") List<String> payees,
      @ForAll("wei") BigInteger amount) {
    List<Address> payeeTypes = payees.stream().map(Address::new).toList();
    // Amounts that sum to at most MAX_WEI: the total is carried exactly too.
    BigInteger each = amount.divide(BigInteger.valueOf(payees.size()));
    List<Uint256> amountTypes = payees.stream().map(p -> new Uint256(each)).toList();
    BigInteger total = each.multiply(BigInteger.valueOf(payees.size()));
    RawChainLog raw =
        log(
            SETTLEMENT,
            Settlement.BATCHSETTLED_EVENT,
            List.of(new Bytes32(batchId)),
            List.of(
                new Bytes32(batchId),
                new Uint256(total),
                new DynamicArray<>(Address.class, payeeTypes),
                new DynamicArray<>(Uint256.class, amountTypes)));

    BatchSettled event = (BatchSettled) decoded(raw, Topics.BATCH_SETTLED.name());

    assertThat(event.getBatchId()).isEqualTo(Numeric.toHexString(batchId));
    assertThat(event.getPayees()).containsExactlyElementsOf(payees);
    assertThat(event.getAmounts())
        .allSatisfy(a -> assertThat(a.toBigIntegerExact()).isEqualTo(each));
    assertThat(event.getAmounts()).hasSize(payees.size());
    assertThat(event.getTotal().toBigIntegerExact()).isEqualTo(total);
  }

  @Property(tries = 500)
  void shouldDecodeModelRegisteredWithItsDatanets(
      @ForAll("datanetIdLists") List<Long> datanetIds,
      @ForAll("texts") String name,
      @ForAll("encoderIds") String encoder) {
    RawChainLog raw =
        log(
            MODELS,
            ModelRegistry.MODELREGISTERED_EVENT,
            List.of(new Uint256(7), new Address("0x00000000000000000000000000000000000000aa")),
            List.of(
                new DynamicArray<>(Uint256.class, datanetIds.stream().map(Uint256::new).toList()),
                new Uint8(1),
                new Utf8String(name),
                new Utf8String(encoder)));

    ModelRegistered event = (ModelRegistered) decoded(raw, Topics.MODEL_REGISTERED.name());

    assertThat(event.getDatanetIds()).containsExactlyElementsOf(datanetIds);
    assertThat(event.getMethod()).isEqualTo(AttributionMethod.PRECOMPUTED);
    assertThat(event.getName()).isEqualTo(name);
    assertThat(event.getEncoderId()).isEqualTo(encoder);
  }

  @Test
  void shouldDecodeARegistryFromBeforeEncodersWithTheDefaultEncoder() {
    RawChainLog raw =
        log(
            MODELS,
            EventMappings.MODEL_REGISTERED_WITHOUT_ENCODER,
            List.of(new Uint256(9), new Address("0x00000000000000000000000000000000000000aa")),
            List.of(
                new DynamicArray<>(Uint256.class, List.of(new Uint256(1))),
                new Uint8(0),
                new Utf8String("old")));

    ModelRegistered event = (ModelRegistered) decoded(raw, Topics.MODEL_REGISTERED.name());

    assertThat(event.getModelId()).isEqualTo(9);
    assertThat(event.getName()).isEqualTo("old");
    assertThat(event.getEncoderId()).isEmpty();
  }

  @Provide
  Arbitrary<String> encoderIds() {
    return Arbitraries.strings()
        .withChars("abcdefghijklmnopqrstuvwxyz0123456789.-")
        .ofMinLength(0)
        .ofMaxLength(64);
  }

  @Test
  void shouldDecodeASpanMatchModelWhenTheMethodIsTwo() {
    RawChainLog raw =
        log(
            MODELS,
            ModelRegistry.MODELREGISTERED_EVENT,
            List.of(new Uint256(8), new Address("0x00000000000000000000000000000000000000aa")),
            List.of(
                new DynamicArray<>(Uint256.class, List.of(new Uint256(1))),
                new Uint8(2),
                new Utf8String("quoter"),
                new Utf8String("")));

    ModelRegistered event = (ModelRegistered) decoded(raw, Topics.MODEL_REGISTERED.name());

    assertThat(event.getMethod()).isEqualTo(AttributionMethod.SPAN);
  }

  @Test
  void shouldFailWithReasonWhenAnIdDoesNotFitALong() {
    RawChainLog raw =
        log(
            MARKET,
            InferenceMarket.INFERENCEPAID_EVENT,
            List.of(new Uint256(UINT256_MAX), new Uint256(1), new Address("0x01")),
            List.of(new Uint256(1), new Bytes32(new byte[32]), new Utf8String("u")));

    assertThat(decoder.decode(raw))
        .isInstanceOfSatisfying(
            Failed.class,
            f ->
                assertThat(f.reason())
                    .contains("inferenceId")
                    .contains("does not fit a 64-bit id"));
  }

  @Test
  void shouldFailWithReasonOnTruncatedData() {
    RawChainLog good =
        log(
            REGISTRY,
            DatanetRegistry.CURATORSET_EVENT,
            List.of(new Uint256(1), new Address("0x02")),
            List.of(new Bool(true)));
    RawChainLog truncated =
        RawChainLog.newBuilder(good).setData(ByteBuffer.wrap(new byte[5])).build();
    RawChainLog empty = RawChainLog.newBuilder(good).setData(ByteBuffer.wrap(new byte[0])).build();

    assertThat(decoder.decode(truncated))
        .isInstanceOfSatisfying(
            Failed.class,
            f -> assertThat(f.reason()).contains("CuratorSet").contains("not a multiple of 32"));
    assertThat(decoder.decode(empty)).isInstanceOf(Failed.class);
  }

  @Test
  void shouldIgnoreUnknownEventsAndContractsAndFailOnWrongContractOrTopicCount() {
    RawChainLog good =
        log(
            REGISTRY,
            DatanetRegistry.CURATORSET_EVENT,
            List.of(new Uint256(1), new Address("0x02")),
            List.of(new Bool(true)));
    List<String> unknownTopics = new ArrayList<>(good.getTopics());
    unknownTopics.set(0, "0x" + "ab".repeat(32));

    assertThat(decoder.decode(RawChainLog.newBuilder(good).setTopics(unknownTopics).build()))
        .isEqualTo(
            new Ignored(Why.UNKNOWN_EVENT, "0x" + "ab".repeat(32) + " from DatanetRegistry"));
    assertThat(
            decoder.decode(
                RawChainLog.newBuilder(good)
                    .setAddress("0x00000000000000000000000000000000000000ff")
                    .build()))
        .isEqualTo(new Ignored(Why.FOREIGN_CONTRACT, "0x00000000000000000000000000000000000000ff"));
    assertThat(reason(RawChainLog.newBuilder(good).setAddress(MARKET).build()))
        .isEqualTo("CuratorSet emitted by InferenceMarket, expected DatanetRegistry");
    assertThat(
            reason(RawChainLog.newBuilder(good).setTopics(good.getTopics().subList(0, 2)).build()))
        .isEqualTo("CuratorSet with 2 topics, expected 3");
  }

  private String reason(RawChainLog raw) {
    return ((Failed) decoder.decode(raw)).reason();
  }

  private Object decoded(RawChainLog raw, String topic) {
    DecodeResult result = decoder.decode(raw);
    assertThat(result).isInstanceOf(Decoded.class);
    assertThat(((Decoded) result).topic().name()).isEqualTo(topic);
    return ((Decoded) result).event();
  }

  private static RawChainLog log(
      String address, Event event, List<? extends Type> indexed, List<? extends Type> data) {
    return RawLogFixtures.log(address, event, indexed, data);
  }
}
