/**
 * The ledger bridge: follows the chain into Kafka exactly once, decodes raw logs into typed events,
 * settles payout batches on chain and loads everything into ClickHouse.
 */
package org.openledger.bridge;
