package org.openledger.bridge.decode;

import org.apache.avro.specific.SpecificRecord;
import org.openledger.schemas.Topic;

/**
 * What became of one raw log: a typed event for its topic, a log the pipeline knowingly does not
 * consume (token transfers, votes, role grants), or a failure with a reason for the dead letters.
 */
public sealed interface DecodeResult {

  /** A typed event, to be written to {@code topic}. */
  record Decoded(Topic topic, SpecificRecord event) implements DecodeResult {}

  /** A known event of the project's contracts that no stage consumes. */
  record Ignored(String eventName) implements DecodeResult {}

  /** A log that cannot be decoded; {@code reason} is meant for an operator. */
  record Failed(String reason) implements DecodeResult {}
}
