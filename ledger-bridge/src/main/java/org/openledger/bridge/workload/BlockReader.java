package org.openledger.bridge.workload;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.openledger.bridge.workload.PaymentTracker.Mined;
import org.openledger.bridge.workload.PaymentTracker.Pending;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthGetBlockReceipts;
import org.web3j.protocol.core.methods.response.EthGetTransactionReceipt;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * The fast sender's link to the node: sends raw transactions without waiting, reads every new
 * block's receipts in bulk (batched {@code eth_getBlockReceipts}) and matches them to the payments
 * in flight, and has {@link GapCheck} look for nonce gaps every 5 s.
 */
final class BlockReader implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BlockReader.class);

  /** Nothing mined for this long at the end: what is still in flight is looked up one by one. */
  static final long GIVE_UP_MILLIS = 120_000;

  private static final int BLOCKS_PER_BATCH = 100;

  private final OkHttpClient http;
  private final Web3j web3;
  private final long chainId;
  private final PaymentTracker tracker = new PaymentTracker();
  private final NonceBook nonces = new NonceBook();
  private final SendLanes lanes;
  private final GapCheck gaps;
  private final Map<String, Credentials> accounts = new ConcurrentHashMap<>();
  private final AtomicReference<Exception> failed = new AtomicReference<>();
  private volatile boolean running;
  private Thread thread;

  BlockReader(String rpcUrl, long chainId) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(RawInferenceStream.CONNECTIONS);
    dispatcher.setMaxRequestsPerHost(RawInferenceStream.CONNECTIONS);
    this.http =
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .connectionPool(new ConnectionPool(RawInferenceStream.CONNECTIONS, 1, TimeUnit.MINUTES))
            .readTimeout(5, TimeUnit.MINUTES)
            .build();
    this.web3 = Web3j.build(new HttpService(rpcUrl, http));
    this.chainId = chainId;
    this.lanes = new SendLanes(web3, tracker);
    this.gaps = new GapCheck(web3, tracker, accounts.values(), this::sign);
  }

  PaymentTracker tracker() {
    return tracker;
  }

  NonceBook nonces() {
    return nonces;
  }

  /** Counts the account's nonces from the chain's pending count; it may now send. */
  void register(Credentials account) throws IOException {
    accounts.put(account.getAddress(), account);
    nonces.start(
        account.getAddress(), count(account.getAddress(), DefaultBlockParameterName.PENDING));
  }

  String sign(RawTransaction tx, Credentials by) {
    return Numeric.toHexString(TransactionEncoder.signMessage(tx, chainId, by));
  }

  /** Reads blocks from the next one on, in the background. */
  void start() throws IOException {
    long from = web3.ethBlockNumber().send().getBlockNumber().longValueExact();
    running = true;
    thread = new Thread(() -> loop(from), "workload-block-reader");
    thread.setDaemon(true);
    thread.start();
  }

  /** Sends without waiting, in nonce order per account; {@code done} runs once answered. */
  void send(Pending p, String hex, Runnable done) {
    lanes.send(p, hex, done);
  }

  /** Returns once every payment sent is mined, reverted or lost. */
  void awaitDrained() throws Exception {
    int last = -1;
    long since = System.currentTimeMillis();
    while (lanes.queued() > 0 || tracker.paymentsInFlight() > 0) {
      if (failed.get() != null) {
        throw failed.get();
      }
      int now = tracker.inFlight();
      if (now != last) {
        last = now;
        since = System.currentTimeMillis();
      } else if (System.currentTimeMillis() - since > GIVE_UP_MILLIS) {
        resolveOneByOne();
      }
      Thread.sleep(50);
    }
    lookUp(tracker.lostHashes(), false);
  }

  private void loop(long from) {
    long scanned = from;
    long lastCheck = System.currentTimeMillis();
    while (running) {
      try {
        long head = web3.ethBlockNumber().send().getBlockNumber().longValueExact();
        // A chain cut back by a reorg: its new blocks at those heights are read again.
        scanned = Math.min(scanned, head);
        while (scanned < head) {
          long to = Math.min(head, scanned + BLOCKS_PER_BATCH);
          readBlocks(scanned + 1, to);
          scanned = to;
        }
        if (System.currentTimeMillis() - lastCheck > 5_000) {
          gaps.check();
          lastCheck = System.currentTimeMillis();
        }
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        if (running) {
          LOG.warn("workload: reading blocks failed, retrying: {}", e.toString());
          sleep(500);
        }
      }
    }
  }

  private void readBlocks(long from, long to) throws IOException {
    BatchRequest batch = web3.newBatch();
    for (long b = from; b <= to; b++) {
      batch.add(web3.ethGetBlockReceipts(DefaultBlockParameter.valueOf(BigInteger.valueOf(b))));
    }
    List<? extends Response<?>> responses = batch.send().getResponses();
    long seenAt = System.currentTimeMillis();
    for (int i = 0; i < responses.size(); i++) {
      EthGetBlockReceipts r = (EthGetBlockReceipts) responses.get(i);
      if (r.hasError()) {
        throw new IOException("eth_getBlockReceipts: " + r.getError().getMessage());
      }
      List<Mined> txs = new ArrayList<>();
      for (TransactionReceipt x : r.getBlockReceipts().orElse(List.of())) {
        txs.add(new Mined(x.getTransactionHash(), x.isStatusOK()));
      }
      tracker.mined(from + i, seenAt, txs);
    }
  }

  /** The last resort at the end: each transaction still in flight, by its own receipt. */
  private void resolveOneByOne() throws IOException {
    LOG.warn(
        "workload: no receipt for {} s; looking up the rest one by one", GIVE_UP_MILLIS / 1000);
    lookUp(tracker.inFlightHashes(), true);
  }

  /** Each transaction's own receipt; one without is lost when {@code loseMissing}. */
  private void lookUp(List<String> hashes, boolean loseMissing) throws IOException {
    for (int i = 0; i < hashes.size(); i += 200) {
      List<String> part = hashes.subList(i, Math.min(hashes.size(), i + 200));
      BatchRequest batch = web3.newBatch();
      part.forEach(h -> batch.add(web3.ethGetTransactionReceipt(h)));
      List<? extends Response<?>> responses = batch.send().getResponses();
      for (int j = 0; j < part.size(); j++) {
        Optional<TransactionReceipt> r =
            ((EthGetTransactionReceipt) responses.get(j)).getTransactionReceipt();
        if (r.isPresent()) {
          tracker.mined(
              r.get().getBlockNumber().longValueExact(),
              System.currentTimeMillis(),
              List.of(new Mined(part.get(j), r.get().isStatusOK())));
        } else if (loseMissing && tracker.lost(part.get(j))) {
          LOG.warn("workload: payment {} lost (no receipt)", part.get(j));
        }
      }
    }
  }

  long count(String address, DefaultBlockParameterName at) throws IOException {
    return web3.ethGetTransactionCount(address, at).send().getTransactionCount().longValueExact();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    lanes.close();
    running = false;
    if (thread != null) {
      thread.interrupt();
      thread.join(5_000);
    }
    web3.shutdown();
  }
}
