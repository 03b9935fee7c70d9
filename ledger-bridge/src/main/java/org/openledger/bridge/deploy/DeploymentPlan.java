package org.openledger.bridge.deploy;

import java.math.BigInteger;

/**
 * What to deploy with: role accounts, token supply, stake cool-down, governance timings and the
 * initial protocol parameters (basis points, fixed-point similarities in parts per million, wei).
 */
public record DeploymentPlan(
    String settler,
    String slasher,
    String treasury,
    BigInteger tokenSupply,
    long coolDownBlocks,
    long votingDelayBlocks,
    long votingPeriodBlocks,
    int quorumPercent,
    long timelockDelaySeconds,
    InitialParams params) {

  /** Protocol parameters in force from the deployment block (ParamsChanged version 1). */
  public record InitialParams(
      int contributorBps,
      int ownerBps,
      int protocolBps,
      int topK,
      long similarityThresholdPpm,
      long duplicateBoundPpm,
      BigInteger minPayout,
      long settlementWindowBlocks,
      int maxPayeesPerBatch) {}

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);

  /** Defaults for a development chain: quick governance, small windows, 1e9 OPEN. */
  public static DeploymentPlan dev(String settler, String slasher, String treasury) {
    return new DeploymentPlan(
        settler,
        slasher,
        treasury,
        BigInteger.valueOf(1_000_000_000L).multiply(OPEN),
        20,
        1,
        10,
        4,
        1,
        new InitialParams(
            7000, 2000, 1000, 5, 200_000, 950_000, OPEN.divide(BigInteger.valueOf(1000)), 20, 200));
  }
}
