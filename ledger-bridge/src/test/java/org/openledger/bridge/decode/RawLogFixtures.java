package org.openledger.bridge.decode;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.openledger.events.ChainPosition;
import org.openledger.events.RawChainLog;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Type;
import org.web3j.utils.Numeric;

/** Raw logs ABI-encoded the way a contract emits them, for decoder tests. */
public final class RawLogFixtures {

  private RawLogFixtures() {}

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
