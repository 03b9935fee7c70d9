package org.openledger.flink.verify;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.openledger.events.BlockSealed;
import org.openledger.events.ChainEvent;
import org.openledger.events.ChainPosition;
import org.openledger.flink.verify.ChaosCheck.Result;

/**
 * The chaos suite's invariants about the decoder app (Kafka Streams): every chain event decoded
 * once into the ordered topic, and the balances API crediting each payee exactly what the payment
 * job accrued. Both broke, unseen by the money checks, when a broker lost the app's committed
 * offsets (docs/RELIABILITY.md).
 */
final class DecoderChecks {

  private DecoderChecks() {}

  /**
   * Counts copies of chain events as {@code chain.events} streams by. An event is live from its
   * record until its reorg retraction ({@code removed}); a second record of a live event is a copy.
   * A reorg that comes back to a branch legitimately sends its events again after their retraction,
   * so those are not copies. Events are held as 64-bit hashes of (block hash, log index): an hour
   * at load is millions of them.
   */
  static final class OnceCounter {
    private final Set<Long> live = new HashSet<>();
    private long events;
    private long copies;
    private String firstCopy;

    void add(ChainEvent record) {
      SpecificRecord event = (SpecificRecord) record.getEvent();
      if (event instanceof BlockSealed) {
        return; // a seal is a marker the follower may repeat after a restart, not an event
      }
      ChainPosition p = (ChainPosition) event.get(event.getSchema().getField("position").pos());
      boolean removed = (Boolean) event.get(event.getSchema().getField("removed").pos());
      long id = hash(p.getBlockHash(), p.getLogIndex());
      events++;
      if (removed) {
        live.remove(id);
      } else if (!live.add(id)) {
        copies++;
        if (firstCopy == null) {
          firstCopy =
              event.getSchema().getName()
                  + " at block "
                  + p.getBlockNumber()
                  + " log "
                  + p.getLogIndex();
        }
      }
    }

    private static long hash(String blockHash, int logIndex) {
      // The block hash's leading 64 bits, mixed with the log index: a collision would only make
      // the check fail, never pass.
      String hex = blockHash.startsWith("0x") ? blockHash.substring(2) : blockHash;
      long h = Long.parseUnsignedLong(hex.substring(0, Math.min(16, hex.length())), 16);
      return h * 31 + logIndex;
    }

    Result result() {
      return new Result(
          "every chain event decoded once (no copies in chain.events)",
          copies == 0,
          copies == 0
              ? events + " event records, none a copy"
              : copies + " copies among " + events + " records; the first: " + firstCopy);
    }
  }

  /**
   * The balances API's accrued wei per payee against the accruals: {@code api} answers a payee's
   * accrued wei (empty when it has none). The views may still be catching up when the check runs,
   * so the caller retries a failure for a while.
   */
  static Result balancesAsAccrued(
      Map<String, BigInteger> accrued, Function<String, Optional<BigInteger>> api) {
    List<String> differ = new ArrayList<>();
    for (Map.Entry<String, BigInteger> e : accrued.entrySet()) {
      Optional<BigInteger> shown = api.apply(e.getKey());
      if (shown.isEmpty() || !shown.get().equals(e.getValue())) {
        differ.add(
            e.getKey()
                + " shows "
                + shown.map(BigInteger::toString).orElse("nothing")
                + " of "
                + e.getValue());
      }
    }
    return new Result(
        "balances API credits every payee exactly its accruals",
        differ.isEmpty(),
        differ.isEmpty()
            ? accrued.size() + " payees"
            : differ.size() + " of " + accrued.size() + " payees differ, e.g. " + differ.get(0));
  }
}
