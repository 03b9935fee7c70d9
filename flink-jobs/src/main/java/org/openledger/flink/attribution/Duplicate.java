package org.openledger.flink.attribution;

/**
 * A contribution flagged as a duplicate of an earlier active one in its Datanet ({@code reasonCode}
 * 1), or as low-quality content (2, {@code detail} says which rule; no match, similarity or bound):
 * it earns nothing and its stake should be slashed. Becomes a {@code SlashProposal}; withdrawn on
 * reorg.
 */
public record Duplicate(
    long chainId,
    long block,
    String blockHash,
    long blockTimestamp,
    String txHash,
    int logIndex,
    boolean removed,
    long contributionId,
    long datanetId,
    String contributor,
    long duplicateOf,
    long similarityPpm,
    long duplicateBoundPpm,
    long paramsVersion,
    String encoderId,
    int reasonCode,
    String detail) {

  /** SlashProposal.reasonCode of a duplicate, and the on-chain flag's. */
  public static final int DUPLICATE = 1;

  /** SlashProposal.reasonCode of low-quality content (ContentQuality). */
  public static final int LOW_QUALITY = 2;

  /**
   * {@code c}, made by {@code in}, flagged as a duplicate of {@code of} (similarity {@code ppm}, in
   * {@code encoderId}'s space) under the bound of params {@code version}.
   */
  public static Duplicate of(
      ChainInput in,
      Contribution c,
      long of,
      long ppm,
      long boundPpm,
      long version,
      String encoderId) {
    return new Duplicate(
        in.chainId(),
        in.block(),
        in.blockHash(),
        in.blockTimestamp(),
        in.txHash(),
        in.logIndex(),
        false,
        c.id(),
        c.datanetId(),
        c.contributor(),
        of,
        ppm,
        boundPpm,
        version,
        encoderId,
        DUPLICATE,
        "");
  }

  /** {@code c}, made by {@code in}, flagged as low-quality content; {@code detail}: which rule. */
  public static Duplicate lowQuality(ChainInput in, Contribution c, long version, String detail) {
    return new Duplicate(
        in.chainId(),
        in.block(),
        in.blockHash(),
        in.blockTimestamp(),
        in.txHash(),
        in.logIndex(),
        false,
        c.id(),
        c.datanetId(),
        c.contributor(),
        0,
        0,
        0,
        version,
        "",
        LOW_QUALITY,
        detail);
  }

  public Duplicate retracted() {
    return new Duplicate(
        chainId,
        block,
        blockHash,
        blockTimestamp,
        txHash,
        logIndex,
        true,
        contributionId,
        datanetId,
        contributor,
        duplicateOf,
        similarityPpm,
        duplicateBoundPpm,
        paramsVersion,
        encoderId,
        reasonCode,
        detail);
  }
}
