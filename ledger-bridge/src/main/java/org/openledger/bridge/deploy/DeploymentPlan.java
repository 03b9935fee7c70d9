package org.openledger.bridge.deploy;

import java.math.BigInteger;
import org.openledger.events.ShareRule;

/**
 * What to deploy with: role accounts, token supply, stake cool-down, flag expiry, governance
 * timings, the initial protocol parameters (basis points, fixed-point similarities in parts per
 * million, wei, the share rule), the initial governed minimums (wei) and the optimistic
 * settlement's challenge window and bonds.
 */
public record DeploymentPlan(
    String settler,
    String flagger,
    String treasury,
    BigInteger tokenSupply,
    long coolDownBlocks,
    long flagExpiryBlocks,
    long votingDelayBlocks,
    long votingPeriodBlocks,
    int quorumPercent,
    long timelockDelaySeconds,
    InitialParams params,
    Minimums minimums,
    Challenge challenge) {

  /**
   * Settlement's governed challenge parameters (blocks after a proposal in which anyone may
   * challenge it; the bonds of a proposal and a challenge, wei) and the OPEN the deployer gives the
   * settler for its proposal bonds (docs/PAYMENTS.md, "Optimistic settlement").
   */
  public record Challenge(
      long windowBlocks,
      BigInteger proposerBond,
      BigInteger challengerBond,
      BigInteger settlerFunds) {
    public Challenge {
      if (windowBlocks < 1) {
        throw new IllegalArgumentException("the challenge window is at least one block");
      }
      if (proposerBond.signum() < 0 || challengerBond.signum() < 0 || settlerFunds.signum() < 0) {
        throw new IllegalArgumentException("bonds and funds are wei amounts, never negative");
      }
      if (proposerBond.bitLength() > 96 || challengerBond.bitLength() > 96) {
        throw new IllegalArgumentException("Settlement keeps a bond in 96 bits");
      }
    }
  }

  /**
   * The dev chain's challenge parameters: 3 blocks, so the demo's batches finalize a few blocks
   * after their proposal (a production chain sets a day's blocks, docs/PAYMENTS.md); bonds of 1
   * OPEN; the settler gets 10,000 OPEN for bonds (returned on each finalize).
   */
  public static final Challenge DEV_CHALLENGE =
      new Challenge(
          3,
          BigInteger.TEN.pow(18),
          BigInteger.TEN.pow(18),
          BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(10_000)));

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
      int maxPayeesPerBatch,
      Share share) {

    /** These params with another share rule. */
    public InitialParams withShare(Share next) {
      return new InitialParams(
          contributorBps,
          ownerBps,
          protocolBps,
          topK,
          similarityThresholdPpm,
          duplicateBoundPpm,
          minPayout,
          settlementWindowBlocks,
          maxPayeesPerBatch,
          next);
    }
  }

  /**
   * The share rule (ProtocolParams.shareRule, shareRuleParam): how an inference's scores become the
   * weights its contributor pool splits by (docs/PAYMENTS.md). POWER takes an exponent of 1 to
   * {@link #MAX_POWER}; LINEAR and TOP1 take 0.
   */
  public record Share(ShareRule rule, int param) {
    public Share {
      if (rule == null) {
        throw new IllegalArgumentException("a share rule is LINEAR, TOP1 or POWER");
      }
      boolean valid = rule == ShareRule.POWER ? param >= 1 && param <= MAX_POWER : param == 0;
      if (!valid) {
        throw new IllegalArgumentException(
            rule == ShareRule.POWER
                ? "POWER takes an exponent of 1 to " + MAX_POWER + ", not " + param
                : rule + " takes no parameter (0), not " + param);
      }
    }

    /** ProtocolParams' code of the rule: 0 LINEAR, 1 TOP1, 2 POWER. */
    public int code() {
      return switch (rule) {
        case LINEAR -> 0;
        case TOP1 -> 1;
        case POWER -> 2;
      };
    }
  }

  /** ProtocolParams.MAX_POWER. */
  public static final int MAX_POWER = 8;

  /**
   * The share rule a deployment starts with (DeployConfig's {@code share.rule} and {@code
   * share.rule.param} default to it); governance changes it later. POWER(3), weight = (score −
   * threshold + 1)³ in ppm, chosen on the quality benchmark (docs/BENCHMARKS.md, "Attribution
   * quality"): with hashing-ngram-v2 it sends 0.990 of the contributor pool to the source of a
   * dropped-word query (LINEAR 0.935, TOP1 0.996) while a query drawn from two contributions still
   * pays the lesser one 0.104 of the pool (TOP1: nothing).
   */
  public static final Share DEFAULT_SHARE = new Share(ShareRule.POWER, 3);

  /**
   * The smallest fee of one inference and the floor of every stake, in wei; governance changes them
   * later ({@code ProtocolParams.setMinimums}, event MinimumsChanged).
   */
  public record Minimums(BigInteger inferenceFee, BigInteger contributionStake) {
    public Minimums {
      if (inferenceFee.signum() < 0 || contributionStake.signum() < 0) {
        throw new IllegalArgumentException("minimums are wei amounts, never negative");
      }
    }
  }

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);

  /**
   * The minimums of {@link #dev}: 1000 wei per inference, 1 wei of stake. They only refuse free
   * traffic: the tests' fixtures pay 1000-wei fees and stake 1 wei. A deployment that faces
   * strangers sets its own (DeployConfig's {@code min.inference.fee}, {@code
   * min.contribution.stake}).
   */
  public static final Minimums DEV_MINIMUMS =
      new Minimums(BigInteger.valueOf(1000), BigInteger.ONE);

  /**
   * How long a flag freezes a stake on the dev chain (DatanetRegistry.flagExpiryBlocks): ten times
   * the cool-down and well over the dev governance's propose-vote-queue-execute (about 15 blocks),
   * so governance can decide before a flag lapses. Governance changes it ({@code
   * setFlagExpiryBlocks}); a public chain wants days of blocks (docs/SECURITY.md).
   */
  public static final long DEV_FLAG_EXPIRY_BLOCKS = 200;

  /** Defaults for a development chain: quick governance, small windows, 1e9 OPEN. */
  public static DeploymentPlan dev(String settler, String flagger, String treasury) {
    return new DeploymentPlan(
        settler,
        flagger,
        treasury,
        BigInteger.valueOf(1_000_000_000L).multiply(OPEN),
        20,
        DEV_FLAG_EXPIRY_BLOCKS,
        1,
        10,
        4,
        1,
        new InitialParams(
            7000,
            2000,
            1000,
            5,
            200_000,
            DEFAULT_DUPLICATE_BOUND_PPM,
            OPEN.divide(BigInteger.valueOf(1000)),
            20,
            200,
            DEFAULT_SHARE),
        DEV_MINIMUMS,
        DEV_CHALLENGE);
  }

  /**
   * Similarity above which a contribution is a duplicate of an earlier one. With the default
   * encoder (hashing-ngram-v2) a farmer re-submitting others' contributions verbatim or lightly
   * edited earns 0.17 % of the pool of the inferences drawn from them at 750,000 ppm under
   * POWER(3), against 32 % at the earlier 950,000; 0.6 % of honest contributions (near-copies; 1.1
   * % on a larger corpus) are flagged too (docs/BENCHMARKS.md, "Attribution quality").
   */
  public static final long DEFAULT_DUPLICATE_BOUND_PPM = 750_000;

  /** This plan with another initial share rule. */
  public DeploymentPlan withShare(Share next) {
    return new DeploymentPlan(
        settler,
        flagger,
        treasury,
        tokenSupply,
        coolDownBlocks,
        flagExpiryBlocks,
        votingDelayBlocks,
        votingPeriodBlocks,
        quorumPercent,
        timelockDelaySeconds,
        params.withShare(next),
        minimums,
        challenge);
  }

  /** This plan with another flag expiry (blocks). */
  public DeploymentPlan withFlagExpiry(long blocks) {
    return new DeploymentPlan(
        settler,
        flagger,
        treasury,
        tokenSupply,
        coolDownBlocks,
        blocks,
        votingDelayBlocks,
        votingPeriodBlocks,
        quorumPercent,
        timelockDelaySeconds,
        params,
        minimums,
        challenge);
  }

  /** This plan with other initial minimums. */
  public DeploymentPlan withMinimums(Minimums next) {
    return new DeploymentPlan(
        settler,
        flagger,
        treasury,
        tokenSupply,
        coolDownBlocks,
        flagExpiryBlocks,
        votingDelayBlocks,
        votingPeriodBlocks,
        quorumPercent,
        timelockDelaySeconds,
        params,
        next,
        challenge);
  }

  /** This plan with other challenge parameters. */
  public DeploymentPlan withChallenge(Challenge next) {
    return new DeploymentPlan(
        settler,
        flagger,
        treasury,
        tokenSupply,
        coolDownBlocks,
        flagExpiryBlocks,
        votingDelayBlocks,
        votingPeriodBlocks,
        quorumPercent,
        timelockDelaySeconds,
        params,
        minimums,
        next);
  }
}
