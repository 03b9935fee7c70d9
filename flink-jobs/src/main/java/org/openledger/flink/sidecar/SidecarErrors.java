package org.openledger.flink.sidecar;

import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;

/**
 * Maps Flight errors to typed exceptions. The sidecar tags its messages ({@code [bad-request]},
 * {@code [capacity]}, {@code [not-ready]}, {@code [unauthenticated]}); transport failures carry no
 * tag and are retryable.
 */
final class SidecarErrors {

  private SidecarErrors() {}

  static SidecarException map(String what, FlightRuntimeException e) {
    String description = e.status().description() == null ? "" : e.status().description();
    String message = "sidecar " + what + " failed: " + description;
    if (description.contains("[bad-request]")) {
      return new SidecarException.BadRequest(message, e);
    }
    if (description.contains("[capacity]")) {
      return new SidecarException.Capacity(message, e);
    }
    if (description.contains("[not-ready]")) {
      return new SidecarException.NotReady(message, e);
    }
    FlightStatusCode code = e.status().code();
    if (code == FlightStatusCode.UNAUTHENTICATED || code == FlightStatusCode.UNAUTHORIZED) {
      return new SidecarException.Unauthenticated(message + " (" + code + ")", e);
    }
    if (code == FlightStatusCode.UNAVAILABLE || code == FlightStatusCode.TIMED_OUT) {
      return new SidecarException.Unavailable(message + " (" + code + ")", e);
    }
    return new SidecarException(message + " (" + code + ")", false, e);
  }
}
