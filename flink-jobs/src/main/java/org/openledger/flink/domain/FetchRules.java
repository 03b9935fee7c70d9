package org.openledger.flink.domain;

import java.time.Duration;

/**
 * Which fetch outcomes are decisions and which are only timing: an HTTP status is a success, a
 * redirect, a transient failure (408, 429, 5xx: retried, never dead-lettered) or a deterministic
 * rejection; and how long a transient failure waits before the next try.
 */
public final class FetchRules {

  /** What an HTTP status means for a fetch. */
  public enum Status {
    OK,
    REDIRECT,
    TRANSIENT,
    REJECTED
  }

  private FetchRules() {}

  public static Status classify(int code) {
    if (code == 200) {
      return Status.OK;
    }
    if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
      return Status.REDIRECT;
    }
    if (code == 408 || code == 429 || (code >= 500 && code <= 599)) {
      return Status.TRANSIENT;
    }
    return Status.REJECTED;
  }

  /**
   * The wait before the next try after {@code failures} transient failures in a row (1, 2, ...):
   * {@code min} doubled each time, capped at {@code max}.
   */
  public static Duration backoff(int failures, Duration min, Duration max) {
    int doublings = Math.min(Math.max(failures - 1, 0), 30);
    long millis = min.toMillis() << doublings;
    return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
  }

  /** {@code text} cut to {@code max} characters, so a hostile URI cannot bloat a dead letter. */
  public static String shorten(String text, int max) {
    if (text == null) {
      return "";
    }
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }
}
