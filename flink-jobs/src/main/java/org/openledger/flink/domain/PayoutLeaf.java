package org.openledger.flink.domain;

import java.math.BigInteger;
import java.util.Locale;

/**
 * One accrual as a Merkle leaf: what {@code payee} earned from one inference in one role. The leaf
 * hash is {@code keccak256(keccak256(abi.encode(address payee, uint256 inferenceId, uint8 role,
 * uint256 contributionId, bool unattributed, uint256 amount)))}, OpenZeppelin's standard leaf, so a
 * payee can prove an amount against the batch root settled on chain.
 *
 * @param contributionId the contribution that earned it, 0 for owner and protocol accruals
 * @param unattributed a protocol accrual of a pool nobody was attributed
 */
public record PayoutLeaf(
    String payee,
    long inferenceId,
    PayeeRole role,
    long contributionId,
    boolean unattributed,
    BigInteger amount) {

  /** Who an accrual pays; the ordinal is the leaf's {@code uint8 role}. */
  public enum PayeeRole {
    CONTRIBUTOR,
    MODEL_OWNER,
    PROTOCOL
  }

  public PayoutLeaf {
    payee = payee.toLowerCase(Locale.ROOT);
    Abi.bytes(payee, 20, "payee address");
    if (amount.signum() < 0) {
      throw new IllegalArgumentException("negative amount " + amount);
    }
  }

  public byte[] hash() {
    byte[] encoded =
        Abi.encode()
            .address(payee)
            .uint256(inferenceId)
            .uint256(role.ordinal())
            .uint256(contributionId)
            .bool(unattributed)
            .uint256(amount)
            .bytes();
    return Keccak.digest(Keccak.digest(encoded));
  }
}
