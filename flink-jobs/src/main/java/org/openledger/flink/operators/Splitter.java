package org.openledger.flink.operators;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.openledger.flink.domain.FeeSplit;
import org.openledger.flink.domain.ParamsHistory;
import org.openledger.flink.domain.PaymentParams;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.flink.payment.Accrual;
import org.openledger.flink.payment.PaymentInput;

/**
 * Turns one inference's fee and attribution into accruals with the params in force at its block.
 * What cannot be paid as the rules say (no params, no known owner) is paid to the protocol, so the
 * fee is still conserved, and named as a problem for the dead letters. Zero amounts are not
 * accrued.
 */
final class Splitter {

  /** The accruals of one inference and what was wrong with its inputs, if anything. */
  record Outcome(List<Accrual> accruals, List<String> problems) {}

  private static final FeeSplit.Bps ALL_TO_PROTOCOL = new FeeSplit.Bps(0, 0, 10_000);

  private Splitter() {}

  static Outcome split(
      String protocol,
      PaymentInput fee,
      PaymentInput result,
      ParamsHistory<PaymentParams> history,
      String owner) {
    List<String> problems = new ArrayList<>();
    long inference = fee.fee().inferenceId();
    Optional<PaymentParams> rules = history.at(fee.block());
    if (rules.isEmpty()) {
      problems.add(
          "no params in force at block "
              + fee.block()
              + ": inference "
              + inference
              + " paid to the protocol");
    }
    FeeSplit.Split split =
        FeeSplit.split(
            fee.fee().amount(),
            rules.map(PaymentParams::bps).orElse(ALL_TO_PROTOCOL),
            result.result().shares());
    long version = rules.map(PaymentParams::version).orElse(0L);
    List<Accrual> out = new ArrayList<>();
    List<FeeSplit.Share> shares = result.result().shares();
    for (int i = 0; i < shares.size(); i++) {
      FeeSplit.Share s = shares.get(i);
      add(
          out,
          fee,
          version,
          s.contributor(),
          PayoutLeaf.PayeeRole.CONTRIBUTOR,
          s.contributionId(),
          false,
          split.contributions().get(i));
    }
    BigInteger toProtocol = split.protocol();
    if (owner == null) {
      if (split.owner().signum() > 0) {
        problems.add(
            "no owner known for model "
                + fee.fee().modelId()
                + " at block "
                + fee.block()
                + ": the owner share of inference "
                + inference
                + " paid to the protocol");
      }
      toProtocol = toProtocol.add(split.owner());
    } else {
      add(out, fee, version, owner, PayoutLeaf.PayeeRole.MODEL_OWNER, 0, false, split.owner());
    }
    add(out, fee, version, protocol, PayoutLeaf.PayeeRole.PROTOCOL, 0, false, toProtocol);
    add(
        out,
        fee,
        version,
        protocol,
        PayoutLeaf.PayeeRole.PROTOCOL,
        0,
        true,
        split.unattributedPool());
    return new Outcome(List.copyOf(out), List.copyOf(problems));
  }

  private static void add(
      List<Accrual> out,
      PaymentInput fee,
      long version,
      String payee,
      PayoutLeaf.PayeeRole role,
      long contributionId,
      boolean unattributed,
      BigInteger amount) {
    if (amount.signum() == 0) {
      return;
    }
    PayoutLeaf leaf =
        new PayoutLeaf(payee, fee.fee().inferenceId(), role, contributionId, unattributed, amount);
    out.add(new Accrual(leaf, fee.position(), fee.fee().modelId(), version, false));
  }
}
