package org.openledger.bridge.decode;

import static org.openledger.bridge.decode.HostileLogTest.ALICE;
import static org.openledger.bridge.decode.HostileLogTest.DEPLOYMENT;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.openledger.events.RawChainLog;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;

/** One valid log of each consumed event, as its own contract emits it: the seed of mutations. */
final class ValidLogs {

  private static final String BOB = "0x00000000000000000000000000000000000000bb";

  private ValidLogs() {}

  static RawChainLog of(EventMappings.Spec spec) {
    String name = spec.abi().getName();
    List<Type<?>> indexed;
    List<Type<?>> data;
    switch (name) {
      case "DatanetCreated" -> {
        indexed = List.of(new Uint256(1), new Address(ALICE));
        data = List.of(new Utf8String("fortunes"), new Uint256(BigInteger.TEN.pow(18)));
      }
      case "CuratorSet" -> {
        indexed = List.of(new Uint256(1), new Address(BOB));
        data = List.of(new Bool(true));
      }
      case "DataContributed" -> {
        indexed = List.of(new Uint256(2), new Uint256(1), new Address(ALICE));
        data = List.of(hash(), new Utf8String("file:///c/2.txt"), new Uint256(10));
      }
      case "ContributionReviewed" -> {
        indexed = List.of(new Uint256(2), new Uint256(1), new Address(BOB));
        data = List.of(new Bool(false));
      }
      case "StakeSlashed" -> {
        indexed = List.of(new Uint256(2), new Uint256(1), new Address(ALICE));
        data = List.of(new Uint256(10), new Uint8(3));
      }
      case "StakeWithdrawn" -> {
        indexed = List.of(new Uint256(2), new Uint256(1), new Address(ALICE));
        data = List.of(new Uint256(10));
      }
      case "ContributionFlagged" -> {
        indexed = List.of(new Uint256(2), new Uint256(1), new Address(ALICE));
        data =
            List.of(
                new Address(BOB),
                new Uint8(1),
                new Uint64(230),
                new Utf8String("duplicate-of=1 similarity-ppm=990000"));
      }
      case "FlagDisputed", "FlagCleared" -> {
        indexed = List.of(new Uint256(2), new Uint256(1), new Address(ALICE));
        data = List.of();
      }
      case "ModelRegistered" -> {
        indexed = List.of(new Uint256(7), new Address(ALICE));
        data =
            List.of(
                new DynamicArray<>(Uint256.class, List.of(new Uint256(1), new Uint256(2))),
                new Uint8(1),
                new Utf8String("physics-tutor"));
        if (spec.abi().getParameters().size() == 6) { // the registry that names encoders
          data = new ArrayList<>(data);
          data.add(new Utf8String("minilm-l6-v2"));
        }
      }
      case "ModelOwnerChanged" -> {
        indexed = List.of(new Uint256(7), new Address(ALICE), new Address(BOB));
        data = List.of();
      }
      case "InferencePaid" -> {
        indexed = List.of(new Uint256(3), new Uint256(7), new Address(BOB));
        data = List.of(new Uint256(1000), hash(), new Utf8String("file:///q/3.txt"));
      }
      case "ParamsChanged" -> {
        indexed = List.of(new Uint64(2));
        data =
            List.of(
                new Uint16(6500),
                new Uint16(2500),
                new Uint16(1000),
                new Uint16(8),
                new Uint32(500_000),
                new Uint32(950_000),
                new Uint256(100),
                new Uint64(20),
                new Uint32(200),
                new Uint8(2),
                new Uint32(3));
      }
      case "FeeEscrowed" -> {
        indexed = List.of();
        data = List.of(new Uint256(1000), new Uint256(5000));
      }
      case "BatchSettled" -> {
        indexed = List.of(hash());
        data =
            List.of(
                hash(),
                new Uint256(30),
                new DynamicArray<>(Address.class, List.of(new Address(ALICE), new Address(BOB))),
                new DynamicArray<>(Uint256.class, List.of(new Uint256(10), new Uint256(20))));
      }
      case "BatchProposed" -> {
        indexed = List.of(hash(), new Address(BOB));
        data =
            List.of(
                new Uint256(100),
                new Uint256(119),
                new Uint256(0),
                new Uint256(1),
                hash(),
                new Uint256(30),
                new Uint256(125),
                new DynamicArray<>(Address.class, List.of(new Address(ALICE), new Address(BOB))),
                new DynamicArray<>(Uint256.class, List.of(new Uint256(10), new Uint256(20))));
      }
      case "BatchChallenged" -> {
        indexed = List.of(hash(), new Address(ALICE));
        data = List.of(new Uint256(BigInteger.TEN.pow(18)));
      }
      case "BatchResolved" -> {
        indexed = List.of(hash());
        data = List.of(new Bool(true), new Address(ALICE), new Uint256(BigInteger.TWO.pow(60)));
      }
      default -> throw new IllegalArgumentException("no valid log for " + name);
    }
    return RawLogFixtures.log(DEPLOYMENT.get(spec.contract()), spec.abi(), indexed, data);
  }

  private static Bytes32 hash() {
    return new Bytes32(HostileLogTest.nonZero32());
  }
}
