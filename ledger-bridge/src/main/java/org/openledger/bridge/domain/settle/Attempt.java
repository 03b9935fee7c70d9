package org.openledger.bridge.domain.settle;

import java.math.BigInteger;

/**
 * One signed {@code settle} transaction the writer recorded before broadcasting it: kept so a
 * restarted writer can find its receipt, re-broadcast it or replace it, instead of paying twice.
 */
public record Attempt(
    long nonce, BigInteger gasPrice, String txHash, String rawTx, long sentAtMillis) {}
