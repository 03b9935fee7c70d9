package org.openledger.flink.payment;

import java.math.BigInteger;
import java.util.List;
import org.openledger.flink.domain.FeeSplit;
import org.openledger.flink.domain.PaymentParams;

/**
 * One record of {@code chain.events} or {@code attribution.results} as the payment job needs it.
 * Exactly one of the payloads is set, by {@code kind}; {@code removed} retracts the record (reorg).
 */
public record PaymentInput(
    Kind kind,
    boolean removed,
    Position position,
    Fee fee,
    Result result,
    PaymentParams params,
    Owner owner) {

  /** What the record is; OTHER records pass by. */
  public enum Kind {
    FEE,
    RESULT,
    PARAMS,
    OWNER,
    SEAL,
    OTHER
  }

  /** An inference's fee, in escrow since its block. */
  public record Fee(long inferenceId, long modelId, BigInteger amount) {}

  /** An inference's attribution: the weighted contributions (empty when unattributed). */
  public record Result(long inferenceId, long modelId, List<FeeSplit.Share> shares) {}

  /** A model's owner from this event on (registration or transfer). */
  public record Owner(long modelId, String address) {}

  public String eventId() {
    return kind == Kind.SEAL ? position.blockHash() + ":seal" : position.eventId();
  }

  public long chainId() {
    return position.chainId();
  }

  public long block() {
    return position.block();
  }

  static PaymentInput of(Kind kind, boolean removed, Position position) {
    return new PaymentInput(kind, removed, position, null, null, null, null);
  }
}
