package org.openledger.bridge.decode;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openledger.bridge.contracts.DatanetRegistry;
import org.openledger.bridge.contracts.InferenceMarket;
import org.openledger.bridge.contracts.ModelRegistry;
import org.openledger.bridge.contracts.OpenGovernor;
import org.openledger.bridge.contracts.OpenToken;
import org.openledger.bridge.contracts.ProtocolParams;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.bridge.contracts.TimelockController;
import org.openledger.bridge.decode.DecodeResult.Decoded;
import org.openledger.bridge.decode.DecodeResult.Failed;
import org.openledger.bridge.decode.DecodeResult.Ignored;
import org.openledger.bridge.decode.EventMappings.Spec;
import org.openledger.bridge.decode.EventMappings.Values;
import org.openledger.events.RawChainLog;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Type;
import org.web3j.utils.Numeric;

/**
 * Decodes raw logs of the project's contracts into the typed Avro events, with the ABIs of the
 * generated wrappers. It checks the emitting contract, the event signature, the topic count and the
 * data length, and says why when it cannot decode; it never throws on bad input.
 */
public final class ChainEventDecoder {

  private static final List<Class<?>> WRAPPERS =
      List.of(
          OpenToken.class,
          TimelockController.class,
          OpenGovernor.class,
          ProtocolParams.class,
          DatanetRegistry.class,
          ModelRegistry.class,
          Settlement.class,
          InferenceMarket.class);

  private final Map<String, String> contractByAddress = new HashMap<>();
  private final Map<String, Spec> consumed = new HashMap<>();
  private final Map<String, String> ignored = new HashMap<>();

  /**
   * @param addresses the deployment's contract addresses, by contract name
   */
  public ChainEventDecoder(Map<String, String> addresses) {
    addresses.forEach((name, addr) -> contractByAddress.put(addr.toLowerCase(Locale.ROOT), name));
    for (Spec spec : EventMappings.consumed()) {
      consumed.put(EventEncoder.encode(spec.abi()), spec);
    }
    // Every other event of the contracts (transfers, votes, role grants) is known but not consumed.
    for (Class<?> wrapper : WRAPPERS) {
      for (Field f : wrapper.getFields()) {
        if (f.getType() == Event.class && Modifier.isStatic(f.getModifiers())) {
          Event e = readEvent(f);
          ignored.putIfAbsent(EventEncoder.encode(e), e.getName());
        }
      }
    }
  }

  /** Decodes one raw log; never throws on bad input. */
  public DecodeResult decode(RawChainLog raw) {
    String emitter = contractByAddress.get(raw.getAddress().toLowerCase(Locale.ROOT));
    if (emitter == null) {
      return new Failed("log from unknown contract " + raw.getAddress());
    }
    if (raw.getTopics().isEmpty()) {
      return new Failed("anonymous log (no topic0) from " + emitter);
    }
    String topic0 = raw.getTopics().get(0).toLowerCase(Locale.ROOT);
    Spec spec = consumed.get(topic0);
    if (spec == null) {
      String name = ignored.get(topic0);
      return name != null
          ? new Ignored(name)
          : new Failed("unknown event signature " + topic0 + " from " + emitter);
    }
    String event = spec.abi().getName();
    if (!spec.contract().equals(emitter)) {
      return new Failed(event + " emitted by " + emitter + ", expected " + spec.contract());
    }
    List<TypeReference<Type>> indexedTypes = spec.abi().getIndexedParameters();
    if (raw.getTopics().size() != indexedTypes.size() + 1) {
      return new Failed(
          event
              + " with "
              + raw.getTopics().size()
              + " topics, expected "
              + (indexedTypes.size() + 1));
    }
    byte[] data = new byte[raw.getData().remaining()];
    raw.getData().duplicate().get(data);
    if (data.length % 32 != 0) {
      return new Failed(event + ": data length " + data.length + " is not a multiple of 32");
    }
    try {
      List<Type> indexed = new ArrayList<>();
      for (int i = 0; i < indexedTypes.size(); i++) {
        indexed.add(
            FunctionReturnDecoder.decodeIndexedValue(
                raw.getTopics().get(i + 1), indexedTypes.get(i)));
      }
      List<Type> values =
          FunctionReturnDecoder.decode(
              Numeric.toHexString(data), spec.abi().getNonIndexedParameters());
      if (values.size() != spec.abi().getNonIndexedParameters().size()) {
        return new Failed(
            event + ": data does not match the event's ABI (" + data.length + " bytes)");
      }
      return new Decoded(spec.topic(), spec.map().apply(raw, new Values(indexed, values)));
    } catch (RuntimeException e) {
      return new Failed(
          event
              + ": malformed data ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + ")");
    }
  }

  private static Event readEvent(Field f) {
    try {
      return (Event) f.get(null);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
