package org.openledger.bridge.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.openledger.bridge.workload.PaymentTracker.Pending;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.Response;

/**
 * Sends each account's transactions in nonce order, many per request: one lane (thread) per account
 * sends whatever has queued up as one JSON-RPC batch and waits for the answers before the next. The
 * node never sees an account's nonces out of order (anvil in automine leaves a transaction that
 * arrived before its predecessor unmined), while the accounts' lanes overlap.
 */
final class SendLanes implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SendLanes.class);

  /**
   * Sends per request. anvil in automine mines each before it answers: a batch must be answered
   * within the read timeout, or the node drops the rest of it when the connection closes.
   */
  private static final int MAX_BATCH = 100;

  private record Item(Pending pending, String hex, Runnable done) {}

  private static final Item STOP = new Item(null, null, null);

  private final Web3j web3;
  private final PaymentTracker tracker;
  private final Map<String, BlockingQueue<Item>> lanes = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicInteger queued = new AtomicInteger();

  SendLanes(Web3j web3, PaymentTracker tracker) {
    this.web3 = web3;
    this.tracker = tracker;
  }

  /**
   * Queues {@code hex} on its account's lane; {@code done} runs once the node has answered. The
   * payment's send time is taken when its batch goes out.
   */
  void send(Pending p, String hex, Runnable done) {
    queued.incrementAndGet();
    lanes.computeIfAbsent(p.account(), this::open).add(new Item(p, hex, done));
  }

  private synchronized BlockingQueue<Item> open(String account) {
    BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    Thread t = new Thread(() -> run(queue), "workload-lane-" + account.substring(0, 10));
    t.setDaemon(true);
    t.start();
    threads.add(t);
    return queue;
  }

  private void run(BlockingQueue<Item> queue) {
    List<Item> items = new ArrayList<>();
    while (true) {
      try {
        items.clear();
        items.add(queue.take());
        queue.drainTo(items, MAX_BATCH - 1);
        boolean stop = items.remove(STOP);
        if (!items.isEmpty()) {
          sendBatch(items);
        }
        if (stop) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void sendBatch(List<Item> items) {
    long at = System.currentTimeMillis();
    BatchRequest batch = web3.newBatch();
    for (Item i : items) {
      Pending p = i.pending();
      tracker.sending(new Pending(p.hash(), p.account(), p.nonce(), at, p.fee(), p.filler()));
      batch.add(web3.ethSendRawTransaction(i.hex()));
    }
    queued.addAndGet(-items.size());
    List<? extends Response<?>> responses;
    try {
      responses = batch.send().getResponses();
    } catch (Exception e) {
      // No answer: whether the node took them is unknown; the gap check finds out.
      LOG.warn("workload: a batch of {} sends failed: {}", items.size(), e.toString());
      items.forEach(i -> i.done().run());
      return;
    }
    for (int k = 0; k < items.size(); k++) {
      Item i = items.get(k);
      i.done().run();
      Response<?> r = k < responses.size() ? responses.get(k) : null;
      String error = r == null ? "no answer" : r.hasError() ? r.getError().getMessage() : null;
      // Refused (e.g. a nonce below the chain's after a reorg): it will never be mined, and its
      // nonce is a hole the gap check fills.
      if (error != null && !error.contains("already") && tracker.lost(i.pending().hash())) {
        LOG.warn("workload: payment {} refused by the node: {}", i.pending().hash(), error);
      }
    }
  }

  /** Transactions queued on a lane and not yet handed to the tracker. */
  int queued() {
    return queued.get();
  }

  @Override
  public void close() throws InterruptedException {
    lanes.values().forEach(q -> q.add(STOP));
    for (Thread t : threads) {
      t.join(10_000);
    }
  }
}
