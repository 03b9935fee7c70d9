package org.openledger.flink.sidecar;

/** A sidecar call that failed; {@link #retryable()} tells an outage from a rejected request. */
public final class SidecarException extends RuntimeException {

  private final boolean retryable;

  public SidecarException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** True when the sidecar was unreachable or busy and the same call may succeed later. */
  public boolean retryable() {
    return retryable;
  }
}
