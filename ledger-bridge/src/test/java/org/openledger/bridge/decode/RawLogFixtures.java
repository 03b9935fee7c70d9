package org.openledger.bridge.decode;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.openledger.bridge.contracts.DatanetRegistry;
import org.openledger.events.ChainPosition;
import org.openledger.events.RawChainLog;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/** Raw logs ABI-encoded the way a contract emits them, for decoder tests. */
public final class RawLogFixtures {

  private RawLogFixtures() {}

  /** A DataContributed log of {@code registry}: contribution {@code id} to Datanet 1. */
  public static RawChainLog contribution(String registry, long id) {
    return log(
        registry,
        DatanetRegistry.DATACONTRIBUTED_EVENT,
        List.of(
            new Uint256(id),
            new Uint256(1),
            new Address("0x00000000000000000000000000000000000000aa")),
        List.of(
            new Bytes32(Hash.sha3(("c" + id).getBytes(StandardCharsets.UTF_8))),
            new Utf8String("file:///c/" + id),
            new Uint256(BigInteger.TEN.pow(30))));
  }

  @SuppressWarnings("rawtypes")
  public static RawChainLog log(
      String address, Event event, List<? extends Type> indexed, List<? extends Type> data) {
    List<String> topics = new ArrayList<>();
    topics.add(EventEncoder.encode(event));
    for (Type t : indexed) {
      topics.add(Numeric.prependHexPrefix(TypeEncoder.encode(t)));
    }
    String encoded = FunctionEncoder.encodeConstructor(new ArrayList<Type>(data));
    return RawChainLog.newBuilder()
        .setPosition(
            ChainPosition.newBuilder()
                .setChainId(1337)
                .setBlockNumber(42)
                .setBlockHash("0x" + "11".repeat(32))
                .setBlockTimestamp(1_700_000_000L)
                .setTxHash("0x" + "22".repeat(32))
                .setLogIndex(3)
                .build())
        .setRemoved(false)
        .setAddress(address)
        .setTopics(topics)
        .setData(ByteBuffer.wrap(Numeric.hexStringToByteArray(encoded)))
        .build();
  }
}
