package org.openledger.flink.payment;

import java.util.List;

/** An inference whose fee has been split, kept until its settlement window closes. */
public record Accrued(PaymentInput fee, List<Accrual> accruals) {

  public long block() {
    return fee.block();
  }
}
