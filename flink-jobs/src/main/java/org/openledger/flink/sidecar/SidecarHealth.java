package org.openledger.flink.sidecar;

/** What the sidecar says about itself: alive ({@code status} "ok") and ready to score or not. */
public record SidecarHealth(String status, boolean ready) {

  public boolean alive() {
    return "ok".equals(status);
  }
}
