package org.openledger.flink.domain;

/**
 * A fetch outcome that is a property of the URI or the bytes, not of timing: a denied URI, an
 * oversized body, a refused HTTP status. It becomes a dead letter with {@link #reason()}, which is
 * worded so that it reveals nothing about the operator's hosts or files.
 */
public final class FetchRejected extends Exception {

  private static final long serialVersionUID = 1L;

  public FetchRejected(String reason) {
    super(reason, null, false, false); // no stack trace: an expected outcome, not a bug
  }

  /** A URI the fetch policy does not allow: {@code uri denied by fetch policy: <why>}. */
  public static FetchRejected denied(String why) {
    return new FetchRejected("uri denied by fetch policy: " + why);
  }

  public String reason() {
    return getMessage();
  }
}
