package org.openledger.flink.payment;

import java.util.ArrayList;
import java.util.List;
import org.openledger.events.BlockSealed;
import org.openledger.events.ChainEvent;
import org.openledger.events.ChainPosition;
import org.openledger.events.InferencePaid;
import org.openledger.events.ModelOwnerChanged;
import org.openledger.events.ModelRegistered;
import org.openledger.events.ParamsChanged;
import org.openledger.flink.domain.FeeSplit;
import org.openledger.flink.domain.PaymentParams;
import org.openledger.pipeline.AttributedContribution;
import org.openledger.pipeline.AttributionResult;

/** Maps the Avro records the payment job reads to its {@link PaymentInput}. */
public final class PaymentInputs {

  private PaymentInputs() {}

  public static PaymentInput of(ChainEvent envelope) {
    Object e = envelope.getEvent();
    if (e instanceof InferencePaid i) {
      return new PaymentInput(
          PaymentInput.Kind.FEE,
          i.getRemoved(),
          position(i.getPosition()),
          new PaymentInput.Fee(i.getInferenceId(), i.getModelId(), i.getFee().toBigIntegerExact()),
          null,
          null,
          null);
    } else if (e instanceof ParamsChanged p) {
      Position at = position(p.getPosition());
      PaymentParams params =
          new PaymentParams(
              p.getVersion(),
              at.block(),
              at.eventId(),
              new FeeSplit.Bps(p.getContributorBps(), p.getOwnerBps(), p.getProtocolBps()),
              p.getMinPayout().toBigIntegerExact(),
              p.getSettlementWindowBlocks(),
              p.getMaxPayeesPerBatch());
      return new PaymentInput(
          PaymentInput.Kind.PARAMS, p.getRemoved(), at, null, null, params, null);
    } else if (e instanceof ModelRegistered m) {
      return owner(m.getRemoved(), m.getPosition(), m.getModelId(), m.getOwner());
    } else if (e instanceof ModelOwnerChanged m) {
      return owner(m.getRemoved(), m.getPosition(), m.getModelId(), m.getNewOwner());
    } else if (e instanceof BlockSealed s) {
      return PaymentInput.of(PaymentInput.Kind.SEAL, false, position(s.getPosition()));
    }
    return PaymentInput.of(PaymentInput.Kind.OTHER, false, positionOf(e));
  }

  public static PaymentInput of(AttributionResult r) {
    List<FeeSplit.Share> shares = new ArrayList<>();
    for (AttributedContribution c : r.getContributions()) {
      shares.add(new FeeSplit.Share(c.getContributionId(), c.getContributor(), c.getWeight()));
    }
    return new PaymentInput(
        PaymentInput.Kind.RESULT,
        r.getRemoved(),
        position(r.getPosition()),
        null,
        new PaymentInput.Result(r.getInferenceId(), r.getModelId(), List.copyOf(shares)),
        null,
        null);
  }

  private static PaymentInput owner(boolean removed, ChainPosition p, long model, String owner) {
    return new PaymentInput(
        PaymentInput.Kind.OWNER,
        removed,
        position(p),
        null,
        null,
        null,
        new PaymentInput.Owner(model, owner));
  }

  static Position position(ChainPosition p) {
    return new Position(
        p.getChainId(),
        p.getBlockNumber(),
        p.getBlockHash(),
        p.getBlockTimestamp(),
        p.getTxHash(),
        p.getLogIndex());
  }

  private static Position positionOf(Object event) {
    try {
      return position((ChainPosition) event.getClass().getMethod("getPosition").invoke(event));
    } catch (ReflectiveOperationException ex) {
      throw new IllegalArgumentException("not a chain event: " + event.getClass(), ex);
    }
  }
}
