package org.openledger.flink.sidecar;

/**
 * A sidecar call that failed; {@link #retryable()} tells an outage from a rejected request, and the
 * subclasses say what the caller should do about it.
 */
public class SidecarException extends RuntimeException {

  private final boolean retryable;

  public SidecarException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** True when the sidecar was unreachable or busy and the same call may succeed later. */
  public boolean retryable() {
    return retryable;
  }

  /** The request itself is wrong (unknown model, wrong dimension, empty text): fix the input. */
  public static final class BadRequest extends SidecarException {
    public BadRequest(String message, Throwable cause) {
      super(message, false, cause);
    }
  }

  /** The device's memory budget cannot take the index: move models or raise the limit. */
  public static final class Capacity extends SidecarException {
    public Capacity(String message, Throwable cause) {
      super(message, false, cause);
    }
  }

  /** The sidecar restarted and lost its indexes: re-seed it, send {@code ready}, then retry. */
  public static final class NotReady extends SidecarException {
    public NotReady(String message, Throwable cause) {
      super(message, false, cause);
    }
  }

  /**
   * The sidecar refused the call's token (none, or not its {@code OPENLEDGER_SIDECAR_TOKEN}): give
   * the client the sidecar's token; retrying the same call cannot help.
   */
  public static final class Unauthenticated extends SidecarException {
    public Unauthenticated(String message, Throwable cause) {
      super(message, false, cause);
    }
  }

  /** The sidecar could not be reached in time, even after the client's retries. */
  public static final class Unavailable extends SidecarException {
    public Unavailable(String message, Throwable cause) {
      super(message, true, cause);
    }
  }
}
