package org.openledger.bridge.streams;

import java.math.BigInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.openledger.events.BatchSettled;
import org.openledger.events.ContributionFlagged;
import org.openledger.events.ContributionReviewed;
import org.openledger.events.DataContributed;
import org.openledger.events.DatanetCreated;
import org.openledger.events.FlagCleared;
import org.openledger.events.InferencePaid;
import org.openledger.events.StakeSlashed;
import org.openledger.events.StakeWithdrawn;
import org.openledger.pipeline.PayeeRole;
import org.openledger.pipeline.PayoutAccrual;

/**
 * Keeps the live views the balances API serves: per payee accrued and settled wei, per Datanet its
 * contributions and active stake. A retraction ({@code removed}) undoes its event, so a reorg
 * leaves the views as the canonical chain would have built them.
 */
final class BalancesProcessor implements Processor<String, SpecificRecord, Void, Void> {

  static final String BALANCES = "balances";
  static final String DATANETS = "datanets";
  static final String CONTRIBUTIONS = "contributions";
  static final String MODELS = "models";
  static final String FLAGS = "flags";

  /** The store of {@link OffsetGuard}: the last offset applied, per input partition. */
  static final String PROGRESS = "balances-progress";

  private final DecoderMetrics metrics;
  private ProcessorContext<Void, Void> context;
  private OffsetGuard guard;

  private KeyValueStore<String, String> balances;
  private KeyValueStore<Long, String> datanets;

  /** contribution id -> "datanetId,stake,active" where active is 1 or 0. */
  private KeyValueStore<Long, String> contributions;

  /** model id -> ModelView.encode(). */
  private KeyValueStore<Long, String> models;

  /** contribution id -> StakeFlags.encode(): is a flag open, is the stake gone. */
  private KeyValueStore<Long, String> flags;

  BalancesProcessor(DecoderMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    guard = new OffsetGuard(context.getStateStore(PROGRESS));
    balances = context.getStateStore(BALANCES);
    datanets = context.getStateStore(DATANETS);
    contributions = context.getStateStore(CONTRIBUTIONS);
    models = context.getStateStore(MODELS);
    flags = context.getStateStore(FLAGS);
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    if (!guard.admit(context.recordMetadata())) {
      // Applied before: a second credit would count the same accrual or payment twice.
      metrics.redelivered(context.recordMetadata().get().topic());
      return;
    }
    SpecificRecord event = record.value();
    if (event instanceof PayoutAccrual a) {
      credit(
          a.getPayee(), sign(a.getRemoved()), a.getAmount().toBigIntegerExact(), BigInteger.ZERO);
      if (a.getRole() == PayeeRole.MODEL_OWNER && a.getModelId() != null) {
        long id = a.getModelId();
        models.put(
            id,
            ModelView.decode(id, models.get(id))
                .ownerAccrued(sign(a.getRemoved()), a.getAmount().toBigIntegerExact())
                .encode());
      }
    } else if (event instanceof InferencePaid p) {
      long id = p.getModelId();
      models.put(
          id,
          ModelView.decode(id, models.get(id))
              .paid(sign(p.getRemoved()), p.getFee().toBigIntegerExact())
              .encode());
    } else if (event instanceof BatchSettled b) {
      for (int i = 0; i < b.getPayees().size(); i++) {
        credit(
            b.getPayees().get(i),
            sign(b.getRemoved()),
            BigInteger.ZERO,
            b.getAmounts().get(i).toBigIntegerExact());
      }
    } else if (event instanceof DatanetCreated d) {
      if (d.getRemoved()) {
        datanets.delete(d.getDatanetId());
      } else {
        datanets.put(
            d.getDatanetId(),
            DatanetView.created(
                    d.getDatanetId(),
                    d.getName(),
                    d.getOwner(),
                    d.getMinStake().toBigIntegerExact())
                .toJson());
      }
    } else if (event instanceof DataContributed c) {
      contributed(c);
    } else if (event instanceof ContributionReviewed r && !r.getAccepted()) {
      deactivate(r.getContributionId(), r.getRemoved());
    } else if (event instanceof StakeSlashed s) {
      deactivate(s.getContributionId(), s.getRemoved());
      BigInteger amount = s.getAmount().toBigIntegerExact();
      stake(s.getContributor(), s.getRemoved() ? amount.negate() : amount, BigInteger.ZERO);
      flags(s.getContributionId(), s.getContributor(), StakeFlags::gone, !s.getRemoved());
    } else if (event instanceof StakeWithdrawn w) {
      deactivate(w.getContributionId(), w.getRemoved());
      flags(w.getContributionId(), w.getContributor(), StakeFlags::gone, !w.getRemoved());
    } else if (event instanceof ContributionFlagged f) {
      flags(f.getContributionId(), f.getContributor(), StakeFlags::open, !f.getRemoved());
    } else if (event instanceof FlagCleared c) {
      flags(c.getContributionId(), c.getContributor(), StakeFlags::open, c.getRemoved());
    }
  }

  /**
   * Sets one of a contribution's flag bits and moves its stake into or out of the contributor's
   * flagged stake when that changes whether a flag holds it (open and not yet gone).
   */
  private void flags(
      long contributionId,
      String contributor,
      java.util.function.BiFunction<StakeFlags, Boolean, StakeFlags> set,
      boolean value) {
    StakeFlags before = StakeFlags.decode(flags.get(contributionId));
    StakeFlags after = set.apply(before, value);
    flags.put(contributionId, after.encode());
    if (before.holds() != after.holds()) {
      String stored = contributions.get(contributionId);
      if (stored != null) {
        BigInteger stake = new BigInteger(stored.split(",")[1]);
        stake(contributor, BigInteger.ZERO, after.holds() ? stake : stake.negate());
      }
    }
  }

  private void stake(String contributor, BigInteger slashed, BigInteger flagged) {
    balances.put(
        contributor, Balance.decode(balances.get(contributor)).stake(slashed, flagged).encode());
  }

  private static int sign(boolean removed) {
    return removed ? -1 : 1;
  }

  private void credit(String payee, int sign, BigInteger accrued, BigInteger settled) {
    BigInteger s = BigInteger.valueOf(sign);
    balances.put(
        payee,
        Balance.decode(balances.get(payee))
            .plus(accrued.multiply(s), settled.multiply(s))
            .encode());
  }

  private void contributed(DataContributed c) {
    String view = datanets.get(c.getDatanetId());
    BigInteger stake = c.getStake().toBigIntegerExact();
    if (c.getRemoved()) {
      String stored = contributions.delete(c.getContributionId());
      if (stored != null && view != null) {
        boolean active = stored.endsWith(",1");
        DatanetView d =
            DatanetView.fromJson(view).contributed(-1, active ? stake : BigInteger.ZERO);
        datanets.put(c.getDatanetId(), (active ? d : d.deactivated(-1, BigInteger.ZERO)).toJson());
      }
      return;
    }
    contributions.put(c.getContributionId(), c.getDatanetId() + "," + stake + ",1");
    if (view != null) {
      datanets.put(c.getDatanetId(), DatanetView.fromJson(view).contributed(1, stake).toJson());
    }
  }

  /** Marks a contribution inactive, or active again when the event that ended it is retracted. */
  private void deactivate(long contributionId, boolean removed) {
    String stored = contributions.get(contributionId);
    if (stored == null) {
      return;
    }
    String[] parts = stored.split(",");
    boolean active = parts[2].equals("1");
    if (active == removed) {
      return; // already in the state this event would leave it in
    }
    long datanetId = Long.parseLong(parts[0]);
    BigInteger stake = new BigInteger(parts[1]);
    contributions.put(contributionId, parts[0] + "," + parts[1] + (removed ? ",1" : ",0"));
    String view = datanets.get(datanetId);
    if (view != null) {
      datanets.put(
          datanetId, DatanetView.fromJson(view).deactivated(removed ? -1 : 1, stake).toJson());
    }
  }
}
