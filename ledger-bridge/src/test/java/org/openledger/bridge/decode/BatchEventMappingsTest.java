package org.openledger.bridge.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openledger.bridge.decode.HostileLogTest.ALICE;
import static org.openledger.bridge.decode.HostileLogTest.DEPLOYMENT;
import static org.openledger.bridge.decode.HostileLogTest.REGISTRY;
import static org.openledger.bridge.decode.HostileLogTest.SETTLEMENT;
import static org.openledger.bridge.decode.HostileLogTest.UINT256_MAX;
import static org.openledger.bridge.decode.HostileLogTest.ZERO;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.bridge.decode.DecodeResult.Decoded;
import org.openledger.bridge.decode.DecodeResult.Failed;
import org.openledger.events.BatchChallenged;
import org.openledger.events.BatchProposed;
import org.openledger.events.BatchResolved;
import org.openledger.events.RawChainLog;
import org.openledger.schemas.Topics;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;

/**
 * Settlement's BatchProposed, BatchChallenged and BatchResolved decode field for field, exactly; a
 * log breaking what propose, challenge or resolve guarantee fails naming the argument, and a batch
 * longer than MAX_BATCH_PAYEES is refused before its arrays are read.
 */
class BatchEventMappingsTest {

  static final String BATCH = "0x" + "ab".repeat(32);
  static final String ROOT = "0x" + "cd".repeat(32);
  static final String BOB = "0x00000000000000000000000000000000000000bb";
  private static final BigInteger BIG = BigInteger.TEN.pow(27).add(BigInteger.ONE);

  private final ChainEventDecoder decoder = new ChainEventDecoder(DEPLOYMENT);

  /** A proposal: window, sub-batch of count, root, total, deadline, payees and amounts. */
  static RawChainLog proposal(
      String emitter,
      long[] window,
      String root,
      BigInteger total,
      long deadline,
      List<String> payees,
      List<BigInteger> amounts) {
    return RawLogFixtures.log(
        emitter,
        Settlement.BATCHPROPOSED_EVENT,
        List.of(new Bytes32(hex(BATCH)), new Address(BOB)),
        List.of(
            new Uint256(window[0]),
            new Uint256(window[1]),
            new Uint256(window[2]),
            new Uint256(window[3]),
            new Bytes32(hex(root)),
            new Uint256(total),
            new Uint256(deadline),
            new DynamicArray<>(Address.class, payees.stream().map(Address::new).toList()),
            new DynamicArray<>(Uint256.class, amounts.stream().map(Uint256::new).toList())));
  }

  static RawChainLog proposal(List<String> payees, List<BigInteger> amounts, BigInteger total) {
    return proposal(SETTLEMENT, new long[] {100, 119, 1, 3}, ROOT, total, 125, payees, amounts);
  }

  static RawChainLog proposal(long[] window, String root, long deadline) {
    return proposal(
        SETTLEMENT,
        window,
        root,
        BigInteger.TEN,
        deadline,
        List.of(ALICE),
        List.of(BigInteger.TEN));
  }

  static RawChainLog challenge(String challenger, BigInteger bond) {
    return RawLogFixtures.log(
        SETTLEMENT,
        Settlement.BATCHCHALLENGED_EVENT,
        List.of(new Bytes32(hex(BATCH)), new Address(challenger)),
        List.of(new Uint256(bond)));
  }

  static RawChainLog resolution(boolean upheld, String winner, BigInteger paid) {
    return RawLogFixtures.log(
        SETTLEMENT,
        Settlement.BATCHRESOLVED_EVENT,
        List.of(new Bytes32(hex(BATCH))),
        List.of(new Bool(upheld), new Address(winner), new Uint256(paid)));
  }

  /** {@code n} distinct non-zero payees. */
  static List<String> payees(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> String.format("0x%040x", i)).toList();
  }

  private static byte[] hex(String value) {
    return org.web3j.utils.Numeric.hexStringToByteArray(value);
  }

  private Object decoded(RawChainLog raw, String topic) {
    DecodeResult result = decoder.decode(raw);
    assertThat(result).isInstanceOf(Decoded.class);
    assertThat(((Decoded) result).topic().name()).isEqualTo(topic);
    return ((Decoded) result).event();
  }

  private String reason(RawChainLog raw) {
    DecodeResult result = decoder.decode(raw);
    assertThat(result).isInstanceOf(Failed.class);
    return ((Failed) result).reason();
  }

  @Test
  void shouldDecodeBatchProposedFieldForFieldWithExactAmounts() {
    RawChainLog raw =
        proposal(List.of(ALICE, BOB), List.of(BIG, BigInteger.ONE), BIG.add(BigInteger.ONE));

    BatchProposed event = (BatchProposed) decoded(raw, Topics.BATCH_PROPOSED.name());

    assertThat(event.getPosition()).isEqualTo(raw.getPosition());
    assertThat(event.getRemoved()).isFalse();
    assertThat(event.getBatchId()).isEqualTo(BATCH);
    assertThat(event.getProposer()).isEqualTo(BOB);
    assertThat(event.getWindowStart()).isEqualTo(100);
    assertThat(event.getWindowEnd()).isEqualTo(119);
    assertThat(event.getSubBatch()).isEqualTo(1);
    assertThat(event.getSubBatchCount()).isEqualTo(3);
    assertThat(event.getAttributionRoot()).isEqualTo(ROOT);
    assertThat(event.getTotal()).isEqualTo(new BigDecimal(BIG.add(BigInteger.ONE)));
    assertThat(event.getChallengeDeadline()).isEqualTo(125);
    assertThat(event.getPayees()).containsExactly(ALICE, BOB);
    assertThat(event.getAmounts()).containsExactly(new BigDecimal(BIG), BigDecimal.ONE);
  }

  @Test
  void shouldDecodeAChallengeAndBothResolutions() {
    BatchChallenged challenged =
        (BatchChallenged) decoded(challenge(ALICE, BIG), Topics.BATCH_CHALLENGED.name());
    BatchResolved upheld =
        (BatchResolved) decoded(resolution(true, ALICE, BIG), Topics.BATCH_RESOLVED.name());
    BatchResolved rejected =
        (BatchResolved)
            decoded(resolution(false, BOB, BigInteger.ZERO), Topics.BATCH_RESOLVED.name());

    assertThat(challenged.getBatchId()).isEqualTo(BATCH);
    assertThat(challenged.getChallenger()).isEqualTo(ALICE);
    assertThat(challenged.getBond()).isEqualTo(new BigDecimal(BIG));
    assertThat(upheld.getUpheld()).isTrue();
    assertThat(upheld.getBondWinner()).isEqualTo(ALICE);
    assertThat(upheld.getBondPaid()).isEqualTo(new BigDecimal(BIG));
    assertThat(rejected.getUpheld()).isFalse();
    assertThat(rejected.getBondPaid()).isEqualTo(BigDecimal.ZERO);
  }

  @Test
  void shouldDecodeABatchOfExactlyMaxBatchPayees() {
    List<BigInteger> ones = Collections.nCopies(1000, BigInteger.ONE);
    BatchProposed event =
        (BatchProposed)
            decoded(
                proposal(payees(1000), ones, BigInteger.valueOf(1000)),
                Topics.BATCH_PROPOSED.name());

    assertThat(event.getPayees()).hasSize(1000);
  }

  @Test
  void shouldRefuseMorePayeesThanTheContractAllowsFromTheLengthWordAlone() {
    List<BigInteger> ones = Collections.nCopies(1001, BigInteger.ONE);
    RawChainLog tooLong = proposal(payees(1001), ones, BigInteger.valueOf(1001));
    // A length word claiming 2^62 payees in a log of a few hundred bytes: refused by the cap too.
    RawChainLog good = proposal(List.of(ALICE), List.of(BigInteger.ONE), BigInteger.ONE);
    byte[] data = HostileLogTest.data(good);
    int payeesLength = new BigInteger(1, java.util.Arrays.copyOfRange(data, 224, 256)).intValue();
    RawChainLog huge =
        HostileLogTest.withData(
            good, HostileLogTest.setWord(data, payeesLength / 32, BigInteger.TWO.pow(62)));
    RawChainLog settledTooLong = HostileLogTest.batch(payees(1001), ones, BigInteger.valueOf(1001));

    assertThat(reason(tooLong))
        .isEqualTo("BatchProposed.payees: 1001 items, more than the 1000 the contract allows");
    assertThat(reason(huge))
        .isEqualTo(
            "BatchProposed.payees: 4611686018427387904 items, more than the 1000 the contract"
                + " allows");
    assertThat(reason(settledTooLong))
        .isEqualTo("BatchSettled.payees: 1001 items, more than the 1000 the contract allows");
  }

  @Test
  void shouldFailNamingTheFieldWhenAProposalBreaksWhatProposeChecks() {
    String zeroRoot = "0x" + "00".repeat(32);

    assertThat(reason(proposal(new long[] {100, 119, 0, 1}, zeroRoot, 125)))
        .isEqualTo("BatchProposed.attributionRoot: the zero root");
    assertThat(reason(proposal(new long[] {120, 119, 0, 1}, ROOT, 125)))
        .isEqualTo("BatchProposed.windowEnd: window 120..119 ends before it starts");
    assertThat(reason(proposal(new long[] {100, 119, 1, 1}, ROOT, 125)))
        .isEqualTo("BatchProposed.subBatch: sub-batch 1 of 1");
    assertThat(reason(proposal(new long[] {100, 119, 0, 0}, ROOT, 125)))
        .isEqualTo("BatchProposed.subBatchCount: 0 is outside 1..4294967295");
    assertThat(reason(proposal(new long[] {100, 119, 0, 1}, ROOT, 119)))
        .isEqualTo("BatchProposed.challengeDeadline: 119 is not after the window's end 119");
    assertThat(reason(proposal(new long[] {100, 119, 0, 1}, ROOT, 1L << 48)))
        .isEqualTo(
            "BatchProposed.challengeDeadline: 281474976710656 is outside 0..281474976710655");
    assertThat(reason(proposal(List.of(ALICE), List.of(BigInteger.ONE), BigInteger.TWO)))
        .isEqualTo("BatchProposed.total: 2 is not the sum of the amounts (1)");
    assertThat(reason(proposal(List.of(ALICE, ZERO), List.of(BIG, BIG), BIG.add(BIG))))
        .isEqualTo("BatchProposed.payees[1]: the zero address");
    assertThat(reason(proposal(List.of(ALICE), List.of(), BigInteger.ZERO)))
        .isEqualTo("BatchProposed.amounts: 0 amounts for 1 payees");
    assertThat(reason(proposal(List.of(), List.of(), BigInteger.ZERO)))
        .isEqualTo("BatchProposed.payees: an empty batch");
    assertThat(reason(proposal(List.of(ALICE), List.of(UINT256_MAX), UINT256_MAX)))
        .startsWith("BatchProposed.amounts[0]: " + UINT256_MAX + " wei is more than");
  }

  @Test
  void shouldFailNamingTheFieldWhenAChallengeOrResolutionIsAbsurdOrMisplaced() {
    RawChainLog fromRegistry =
        RawChainLog.newBuilder(challenge(ALICE, BigInteger.ONE)).setAddress(REGISTRY).build();

    assertThat(reason(challenge(ZERO, BigInteger.ONE)))
        .isEqualTo("BatchChallenged.challenger: the zero address");
    assertThat(reason(challenge(ALICE, UINT256_MAX)))
        .startsWith("BatchChallenged.bond: " + UINT256_MAX + " wei is more than");
    assertThat(reason(resolution(true, ZERO, BigInteger.ONE)))
        .isEqualTo("BatchResolved.bondWinner: the zero address");
    assertThat(reason(fromRegistry))
        .isEqualTo("BatchChallenged emitted by DatanetRegistry, expected Settlement");
  }
}
