package org.openledger.bridge.follow;

import io.reactivex.disposables.Disposable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.websocket.WebSocketService;

/**
 * Subscribes to new-head notifications over WebSocket to wake the follower as soon as a block
 * arrives. Never relied on for correctness: subscriptions do not report reorgs (removed logs) on
 * every node, and a lost connection just falls back to polling.
 */
final class NewHeads {

  private static final Logger LOG = LoggerFactory.getLogger(NewHeads.class);

  private NewHeads() {}

  /** Calls {@code onHead} on each new head; returns what to close, a no-op when unavailable. */
  static AutoCloseable subscribe(String wsUrl, Runnable onHead) {
    if (wsUrl.equals("off")) {
      return () -> {};
    }
    try {
      WebSocketService ws = new WebSocketService(wsUrl, false);
      ws.connect();
      Web3j web3 = Web3j.build(ws);
      Disposable subscription =
          web3.newHeadsNotifications()
              .subscribe(
                  head -> onHead.run(),
                  error ->
                      LOG.warn(
                          "new-heads subscription ended ({}); polling only", error.toString()));
      LOG.info("woken by new heads from {}", wsUrl);
      return () -> {
        subscription.dispose();
        web3.shutdown();
      };
    } catch (Exception e) {
      LOG.info("no new-heads subscription at {} ({}); polling only", wsUrl, e.toString());
      return () -> {};
    }
  }
}
