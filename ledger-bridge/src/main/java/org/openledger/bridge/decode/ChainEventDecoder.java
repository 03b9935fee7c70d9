package org.openledger.bridge.decode;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
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
import org.openledger.bridge.decode.AbiReader.InvalidField;
import org.openledger.bridge.decode.AbiReader.Param;
import org.openledger.bridge.decode.DecodeResult.Decoded;
import org.openledger.bridge.decode.DecodeResult.Failed;
import org.openledger.bridge.decode.DecodeResult.Ignored;
import org.openledger.bridge.decode.DecodeResult.Why;
import org.openledger.bridge.decode.EventMappings.Spec;
import org.openledger.events.RawChainLog;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.datatypes.Event;

/**
 * Decodes raw logs of the project's contracts into the typed Avro events, with the ABIs of the
 * generated wrappers. An event is believed only from the deployed contract that owns it: a log of
 * any other address is ignored (anyone can emit {@code InferencePaid} from a contract of their
 * own), as is an event signature this build does not know. A consumed event from its owner is
 * decoded strictly ({@link AbiReader}) and every value checked ({@link AbiValues}); when that fails
 * the reason names the event and the argument. It never throws on bad input.
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
  private final Map<String, String> notConsumed = new HashMap<>();

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
          notConsumed.putIfAbsent(EventEncoder.encode(e), e.getName());
        }
      }
    }
  }

  /** Decodes one raw log; never throws on bad input. */
  public DecodeResult decode(RawChainLog raw) {
    String emitter = contractByAddress.get(raw.getAddress().toLowerCase(Locale.ROOT));
    if (emitter == null) {
      return new Ignored(Why.FOREIGN_CONTRACT, raw.getAddress());
    }
    if (raw.getTopics().isEmpty()) {
      return new Ignored(Why.UNKNOWN_EVENT, "anonymous log from " + emitter);
    }
    String topic0 = raw.getTopics().get(0).toLowerCase(Locale.ROOT);
    Spec spec = consumed.get(topic0);
    if (spec == null) {
      String name = notConsumed.get(topic0);
      return name != null
          ? new Ignored(Why.NOT_CONSUMED, name)
          : new Ignored(Why.UNKNOWN_EVENT, topic0 + " from " + emitter);
    }
    String event = spec.name();
    if (!spec.contract().equals(emitter)) {
      // Our own contracts never emit each other's events: the deployment's addresses are mixed up.
      return new Failed(event + " emitted by " + emitter + ", expected " + spec.contract());
    }
    if (raw.getTopics().size() != spec.indexed().size() + 1) {
      return new Failed(
          event
              + " with "
              + raw.getTopics().size()
              + " topics, expected "
              + (spec.indexed().size() + 1));
    }
    byte[] data = new byte[raw.getData().remaining()];
    raw.getData().duplicate().get(data);
    if (data.length % 32 != 0) {
      return new Failed(event + ": data length " + data.length + " is not a multiple of 32");
    }
    try {
      Map<String, Object> args = new HashMap<>();
      for (int i = 0; i < spec.indexed().size(); i++) {
        Param p = spec.indexed().get(i);
        args.put(p.name(), AbiReader.readTopic(raw.getTopics().get(i + 1), p));
      }
      List<Object> values = AbiReader.readData(data, spec.data());
      for (int i = 0; i < values.size(); i++) {
        args.put(spec.data().get(i).name(), values.get(i));
      }
      return new Decoded(spec.topic(), spec.map().apply(raw, new AbiValues(args)));
    } catch (InvalidField e) {
      return new Failed(event + "." + e.field() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      // Not expected (every rule above names its field); still data, not a reason to stop.
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
