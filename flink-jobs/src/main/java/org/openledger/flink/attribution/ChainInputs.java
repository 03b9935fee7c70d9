package org.openledger.flink.attribution;

import org.openledger.events.BlockSealed;
import org.openledger.events.ChainEvent;
import org.openledger.events.ChainPosition;
import org.openledger.events.ContributionReviewed;
import org.openledger.events.DataContributed;
import org.openledger.events.InferencePaid;
import org.openledger.events.ModelRegistered;
import org.openledger.events.ParamsChanged;
import org.openledger.events.StakeSlashed;
import org.openledger.events.StakeWithdrawn;
import org.openledger.flink.domain.ShareRule;

/** Maps the typed events of {@code chain.events} to the job's flat {@link ChainInput}. */
public final class ChainInputs {

  private ChainInputs() {}

  public static ChainInput of(ChainEvent envelope) {
    Object e = envelope.getEvent();
    if (e instanceof DataContributed c) {
      return base(
              ChainInput.Kind.CONTRIBUTION, c.getPosition(), c.getRemoved(), c.getContributionId())
          .datanet(c.getDatanetId())
          .address(c.getContributor())
          .content(c.getContentHash(), c.getContentUri())
          .build();
    } else if (e instanceof ContributionReviewed r) {
      return base(ChainInput.Kind.REVIEW, r.getPosition(), r.getRemoved(), r.getContributionId())
          .datanet(r.getDatanetId())
          .accepted(r.getAccepted())
          .build();
    } else if (e instanceof StakeSlashed s) {
      return base(ChainInput.Kind.SLASH, s.getPosition(), s.getRemoved(), s.getContributionId())
          .datanet(s.getDatanetId())
          .build();
    } else if (e instanceof StakeWithdrawn w) {
      return base(ChainInput.Kind.WITHDRAW, w.getPosition(), w.getRemoved(), w.getContributionId())
          .datanet(w.getDatanetId())
          .build();
    } else if (e instanceof ModelRegistered m) {
      return base(ChainInput.Kind.MODEL, m.getPosition(), m.getRemoved(), m.getModelId())
          .address(m.getOwner())
          .datanets(m.getDatanetIds().stream().mapToLong(Long::longValue).toArray())
          .method(m.getMethod().name())
          .encoder(m.getEncoderId())
          .build();
    } else if (e instanceof ParamsChanged p) {
      Builder b =
          base(ChainInput.Kind.PARAMS, p.getPosition(), p.getRemoved(), p.getVersion())
              .params(p.getTopK(), p.getSimilarityThresholdPpm(), p.getDuplicateBoundPpm());
      try {
        b.shareRule = ShareRule.of(p.getShareRule().name(), p.getShareRuleParam());
      } catch (IllegalArgumentException invalid) {
        b.failure = invalid.getMessage(); // the decoder never writes one; the operator rejects it
      }
      return b.build();
    } else if (e instanceof InferencePaid i) {
      return base(ChainInput.Kind.INFERENCE, i.getPosition(), i.getRemoved(), i.getInferenceId())
          .datanet(i.getModelId())
          .address(i.getPayer())
          .content(i.getQueryHash(), i.getQueryUri())
          .build();
    } else if (e instanceof BlockSealed s) {
      return base(ChainInput.Kind.SEAL, s.getPosition(), false, s.getPosition().getBlockNumber())
          .build();
    }
    return base(ChainInput.Kind.OTHER, positionOf(e), false, 0).build();
  }

  private static ChainPosition positionOf(Object event) {
    try {
      return (ChainPosition) event.getClass().getMethod("getPosition").invoke(event);
    } catch (ReflectiveOperationException ex) {
      throw new IllegalArgumentException("not a chain event: " + event.getClass(), ex);
    }
  }

  private static Builder base(ChainInput.Kind kind, ChainPosition p, boolean removed, long id) {
    Builder b = new Builder();
    b.kind = kind;
    b.removed = removed;
    b.position = p;
    b.id = id;
    return b;
  }

  /** Fills the fields one kind uses; the rest stay zero or null. */
  private static final class Builder {
    private ChainInput.Kind kind;
    private boolean removed;
    private ChainPosition position;
    private long id;
    private long datanetId;
    private String address;
    private long[] datanetIds;
    private boolean accepted;
    private String hash;
    private String uri;
    private int topK;
    private long thresholdPpm;
    private long duplicateBoundPpm;
    private ShareRule shareRule;
    private String method;
    private String encoder;
    private String failure;

    Builder datanet(long value) {
      datanetId = value;
      return this;
    }

    Builder address(String value) {
      address = value;
      return this;
    }

    Builder datanets(long[] value) {
      datanetIds = value;
      return this;
    }

    Builder encoder(String value) {
      encoder = value;
      return this;
    }

    Builder method(String value) {
      method = value;
      return this;
    }

    Builder accepted(boolean value) {
      accepted = value;
      return this;
    }

    Builder content(String contentHash, String contentUri) {
      hash = contentHash;
      uri = contentUri;
      return this;
    }

    Builder params(int k, long threshold, long duplicateBound) {
      topK = k;
      thresholdPpm = threshold;
      duplicateBoundPpm = duplicateBound;
      return this;
    }

    ChainInput build() {
      String suffix =
          kind == ChainInput.Kind.SEAL ? "seal" : Integer.toString(position.getLogIndex());
      return new ChainInput(
          kind,
          removed,
          position.getChainId(),
          position.getBlockNumber(),
          position.getBlockHash(),
          position.getLogIndex(),
          position.getTxHash(),
          position.getBlockTimestamp(),
          position.getBlockHash() + ":" + suffix,
          id,
          datanetId,
          address,
          datanetIds,
          accepted,
          hash,
          uri,
          topK,
          thresholdPpm,
          duplicateBoundPpm,
          shareRule,
          method,
          encoder,
          null,
          failure);
    }
  }
}
