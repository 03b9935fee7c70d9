package org.openledger.flink.payment;

/** Where an event sits on the chain; {@code blockHash:logIndex} identifies it. */
public record Position(
    long chainId, long block, String blockHash, long blockTimestamp, String txHash, int logIndex) {

  public String eventId() {
    return blockHash + ":" + logIndex;
  }
}
