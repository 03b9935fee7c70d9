package org.openledger.bridge.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openledger.bridge.decode.HostileLogTest.FOREIGN;
import static org.openledger.bridge.decode.HostileLogTest.MODELS;
import static org.openledger.bridge.decode.HostileLogTest.REGISTRY;
import static org.openledger.bridge.decode.HostileLogTest.SETTLEMENT;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.openledger.bridge.contracts.DatanetRegistry;
import org.openledger.bridge.contracts.ModelRegistry;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.bridge.decode.DecodeResult.Decoded;
import org.openledger.events.ContributionFlagged;
import org.openledger.events.ContributionReviewed;
import org.openledger.events.CuratorSet;
import org.openledger.events.DatanetCreated;
import org.openledger.events.FeeEscrowed;
import org.openledger.events.FlagCleared;
import org.openledger.events.FlagDisputed;
import org.openledger.events.ModelOwnerChanged;
import org.openledger.events.StakeSlashed;
import org.openledger.events.StakeWithdrawn;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;

/**
 * Valid values encoded with web3j's ABI encoder come back from the strict decoder unchanged, for
 * the events {@link ChainEventDecoderTest} does not cover: the strictness rejects nothing a
 * contract emits.
 */
class EventRoundTripTest {

  private final ChainEventDecoder decoder = new ChainEventDecoder(HostileLogTest.DEPLOYMENT);

  @Provide
  Arbitrary<Long> ids() {
    return Arbitraries.oneOf(
        Arbitraries.of(1L, Long.MAX_VALUE), Arbitraries.longs().between(1, Long.MAX_VALUE));
  }

  @Provide
  Arbitrary<BigInteger> wei() {
    return Arbitraries.oneOf(
        Arbitraries.of(BigInteger.ZERO, AbiValues.MAX_WEI),
        Arbitraries.bigIntegers().between(BigInteger.ZERO, AbiValues.MAX_WEI));
  }

  /** Any address but zero (zero is allowed only where nobody acts or is paid: a named curator). */
  @Provide
  Arbitrary<String> parties() {
    return Arbitraries.bigIntegers()
        .between(BigInteger.ONE, BigInteger.TWO.pow(160).subtract(BigInteger.ONE))
        .map(v -> String.format("0x%040x", v));
  }

  @Property(tries = 500)
  void shouldRoundTripDatanetCreated(
      @ForAll("ids") long id,
      @ForAll("parties") String owner,
      @ForAll String name,
      @ForAll("wei") BigInteger minStake) {
    DatanetCreated e =
        decode(
            REGISTRY,
            DatanetRegistry.DATANETCREATED_EVENT,
            List.of(new Uint256(id), new Address(owner)),
            List.of(new Utf8String(name), new Uint256(minStake)));

    assertThat(e.getDatanetId()).isEqualTo(id);
    assertThat(e.getOwner()).isEqualTo(owner);
    assertThat(e.getName()).isEqualTo(name);
    assertThat(e.getMinStake()).isEqualTo(new BigDecimal(minStake));
  }

  @Property(tries = 500)
  void shouldRoundTripCuratorSetAndContributionReviewed(
      @ForAll("ids") long contributionId,
      @ForAll("ids") long datanetId,
      @ForAll("parties") String curator,
      @ForAll boolean flag) {
    CuratorSet set =
        decode(
            REGISTRY,
            DatanetRegistry.CURATORSET_EVENT,
            List.of(new Uint256(datanetId), new Address(HostileLogTest.ZERO)),
            List.of(new Bool(flag)));
    ContributionReviewed reviewed =
        decode(
            REGISTRY,
            DatanetRegistry.CONTRIBUTIONREVIEWED_EVENT,
            List.of(new Uint256(contributionId), new Uint256(datanetId), new Address(curator)),
            List.of(new Bool(flag)));

    assertThat(set.getCurator()).isEqualTo(HostileLogTest.ZERO);
    assertThat(set.getEnabled()).isEqualTo(flag);
    assertThat(reviewed.getContributionId()).isEqualTo(contributionId);
    assertThat(reviewed.getDatanetId()).isEqualTo(datanetId);
    assertThat(reviewed.getCurator()).isEqualTo(curator);
    assertThat(reviewed.getAccepted()).isEqualTo(flag);
  }

  @Property(tries = 500)
  void shouldRoundTripStakeSlashedAndWithdrawn(
      @ForAll("ids") long contributionId,
      @ForAll("parties") String contributor,
      @ForAll("wei") BigInteger amount,
      @ForAll @IntRange(min = 0, max = 255) int reasonCode) {
    StakeSlashed slashed =
        decode(
            REGISTRY,
            DatanetRegistry.STAKESLASHED_EVENT,
            List.of(new Uint256(contributionId), new Uint256(1), new Address(contributor)),
            List.of(new Uint256(amount), new Uint8(reasonCode)));
    StakeWithdrawn withdrawn =
        decode(
            REGISTRY,
            DatanetRegistry.STAKEWITHDRAWN_EVENT,
            List.of(new Uint256(contributionId), new Uint256(1), new Address(contributor)),
            List.of(new Uint256(amount)));

    assertThat(slashed.getContributionId()).isEqualTo(contributionId);
    assertThat(slashed.getContributor()).isEqualTo(contributor);
    assertThat(slashed.getAmount()).isEqualTo(new BigDecimal(amount));
    assertThat(slashed.getReasonCode()).isEqualTo(reasonCode);
    assertThat(withdrawn.getAmount()).isEqualTo(new BigDecimal(amount));
  }

  @Property(tries = 300)
  void shouldRoundTripFlagDisputeAndClear(
      @ForAll("ids") long contributionId,
      @ForAll("parties") String contributor,
      @ForAll("parties") String flagger,
      @ForAll @IntRange(min = 0, max = 255) int reasonCode,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long expiresAt,
      @ForAll @AlphaChars @NumericChars @Chars({' ', '=', '-', ':'}) @StringLength(max = 2048)
          String evidence) {
    List<org.web3j.abi.datatypes.Type<?>> topics =
        List.of(new Uint256(contributionId), new Uint256(1), new Address(contributor));
    ContributionFlagged flagged =
        decode(
            REGISTRY,
            DatanetRegistry.CONTRIBUTIONFLAGGED_EVENT,
            topics,
            List.of(
                new Address(flagger),
                new Uint8(reasonCode),
                new Uint64(expiresAt),
                new Utf8String(evidence)));
    FlagDisputed disputed = decode(REGISTRY, DatanetRegistry.FLAGDISPUTED_EVENT, topics, List.of());
    FlagCleared cleared = decode(REGISTRY, DatanetRegistry.FLAGCLEARED_EVENT, topics, List.of());

    assertThat(flagged.getContributionId()).isEqualTo(contributionId);
    assertThat(flagged.getContributor()).isEqualTo(contributor);
    assertThat(flagged.getFlagger()).isEqualTo(flagger);
    assertThat(flagged.getReasonCode()).isEqualTo(reasonCode);
    assertThat(flagged.getExpiresAtBlock()).isEqualTo(expiresAt);
    assertThat(flagged.getEvidence()).isEqualTo(evidence);
    assertThat(disputed.getContributionId()).isEqualTo(contributionId);
    assertThat(disputed.getContributor()).isEqualTo(contributor);
    assertThat(cleared.getContributionId()).isEqualTo(contributionId);
    assertThat(cleared.getDatanetId()).isEqualTo(1);
  }

  @Property(tries = 500)
  void shouldRoundTripModelOwnerChangedAndFeeEscrowed(
      @ForAll("ids") long modelId,
      @ForAll("parties") String previous,
      @ForAll("parties") String next,
      @ForAll("wei") BigInteger amount,
      @ForAll("wei") BigInteger escrowed) {
    ModelOwnerChanged moved =
        decode(
            MODELS,
            ModelRegistry.MODELOWNERCHANGED_EVENT,
            List.of(new Uint256(modelId), new Address(previous), new Address(next)),
            List.of());
    FeeEscrowed fee =
        decode(
            SETTLEMENT,
            Settlement.FEEESCROWED_EVENT,
            List.of(),
            List.of(new Uint256(amount), new Uint256(escrowed)));

    assertThat(moved.getModelId()).isEqualTo(modelId);
    assertThat(moved.getPreviousOwner()).isEqualTo(previous);
    assertThat(moved.getNewOwner()).isEqualTo(next);
    assertThat(fee.getAmount()).isEqualTo(new BigDecimal(amount));
    assertThat(fee.getEscrowed()).isEqualTo(new BigDecimal(escrowed));
    assertThat(
            decoder.decode(
                log(
                    FOREIGN,
                    Settlement.FEEESCROWED_EVENT,
                    List.of(),
                    List.of(new Uint256(amount), new Uint256(escrowed)))))
        .isInstanceOf(DecodeResult.Ignored.class);
  }

  @SuppressWarnings("unchecked")
  private <T> T decode(
      String address,
      org.web3j.abi.datatypes.Event event,
      List<? extends org.web3j.abi.datatypes.Type<?>> indexed,
      List<? extends org.web3j.abi.datatypes.Type<?>> data) {
    DecodeResult result = decoder.decode(log(address, event, indexed, data));
    assertThat(result).isInstanceOf(Decoded.class);
    return (T) ((Decoded) result).event();
  }

  private static org.openledger.events.RawChainLog log(
      String address,
      org.web3j.abi.datatypes.Event event,
      List<? extends org.web3j.abi.datatypes.Type<?>> indexed,
      List<? extends org.web3j.abi.datatypes.Type<?>> data) {
    return RawLogFixtures.log(address, event, indexed, data);
  }
}
