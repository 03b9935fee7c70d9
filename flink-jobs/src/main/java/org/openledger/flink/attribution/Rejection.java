package org.openledger.flink.attribution;

/** Input the job could not use, with the reason: becomes a {@code DeadLetter}. */
public record Rejection(
    String stage,
    String reason,
    long chainId,
    long block,
    String blockHash,
    long blockTimestamp,
    String txHash,
    int logIndex,
    String eventId) {

  public static Rejection of(String stage, String reason, ChainInput input) {
    return new Rejection(
        stage,
        reason,
        input.chainId(),
        input.block(),
        input.blockHash(),
        input.blockTimestamp(),
        input.txHash(),
        input.logIndex(),
        input.eventId());
  }
}
