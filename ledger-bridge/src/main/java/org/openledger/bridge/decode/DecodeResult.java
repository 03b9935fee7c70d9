package org.openledger.bridge.decode;

import org.apache.avro.specific.SpecificRecord;
import org.openledger.schemas.Topic;

/**
 * What became of one raw log: a typed event for its topic, a log the pipeline knowingly leaves
 * alone (with why, for the metrics), or a failure with a reason for the dead letters.
 */
public sealed interface DecodeResult {

  /** A typed event, to be written to {@code topic}. */
  record Decoded(Topic topic, SpecificRecord event) implements DecodeResult {}

  /** A log that is none of the pipeline's business; {@code detail} says which. */
  record Ignored(Why why, String detail) implements DecodeResult {}

  /** A log that cannot be decoded; {@code reason} is meant for an operator. */
  record Failed(String reason) implements DecodeResult {}

  /** Why a log is ignored; {@link #label()} is the metric's label value. */
  enum Why {
    /** A known event of the project's contracts that no stage consumes (transfers, votes). */
    NOT_CONSUMED("not-consumed"),
    /**
     * A log of a contract outside the deployment. Anyone can emit a consumed event's signature from
     * a contract of their own; only the deployed contract that owns an event is believed.
     */
    FOREIGN_CONTRACT("foreign-contract"),
    /** An event this build does not know, from a deployed contract (a newer contract version). */
    UNKNOWN_EVENT("unknown-event");

    private final String label;

    Why(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }
}
