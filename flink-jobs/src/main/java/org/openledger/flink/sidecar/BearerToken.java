package org.openledger.flink.sidecar;

import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClientMiddleware;

/**
 * The sidecar's shared token, sent as {@code authorization: Bearer <token>} on every Flight call.
 * The sidecar requires it whenever it listens beyond loopback; its value never appears in a
 * message, a log or {@link #toString()}.
 */
final class BearerToken implements FlightClientMiddleware.Factory {

  /** The sidecar's own rule (auth.py): long enough not to be guessed, safe in an HTTP header. */
  static final int MIN_LENGTH = 16;

  private final String header;

  BearerToken(String token) {
    if (token.length() < MIN_LENGTH) {
      throw new IllegalArgumentException(
          "the sidecar token must be at least " + MIN_LENGTH + " characters long");
    }
    if (!token.chars().allMatch(c -> c >= 0x21 && c <= 0x7E)) {
      throw new IllegalArgumentException(
          "the sidecar token must be printable ASCII without spaces");
    }
    this.header = "Bearer " + token;
  }

  @Override
  public FlightClientMiddleware onCallStarted(CallInfo info) {
    return new FlightClientMiddleware() {
      @Override
      public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {
        outgoingHeaders.insert("authorization", header);
      }

      @Override
      public void onHeadersReceived(CallHeaders incomingHeaders) {}

      @Override
      public void onCallCompleted(CallStatus status) {}
    };
  }

  @Override
  public String toString() {
    return "BearerToken[redacted]";
  }
}
