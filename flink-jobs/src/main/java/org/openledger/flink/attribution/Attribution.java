package org.openledger.flink.attribution;

/**
 * One inference's attribution as the job emits it (becomes an {@code AttributionResult}); the
 * arrays are parallel, one entry per attributed contribution in rank order.
 */
public record Attribution(
    long inferenceId,
    long chainId,
    long block,
    String blockHash,
    long blockTimestamp,
    String txHash,
    int logIndex,
    boolean removed,
    long modelId,
    String encoderId,
    String encoderVersion,
    long paramsVersion,
    long[] contributionIds,
    String[] contributors,
    int[] ranks,
    long[] scorePpms,
    long[] weights,
    boolean unattributed) {

  public Attribution retracted() {
    return new Attribution(
        inferenceId,
        chainId,
        block,
        blockHash,
        blockTimestamp,
        txHash,
        logIndex,
        true,
        modelId,
        encoderId,
        encoderVersion,
        paramsVersion,
        contributionIds,
        contributors,
        ranks,
        scorePpms,
        weights,
        unattributed);
  }
}
