package org.openledger.flink.operators;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.openledger.flink.domain.Cidr;
import org.openledger.flink.domain.FetchPolicy;
import org.openledger.flink.domain.FetchRejected;
import org.openledger.flink.domain.FetchRules;
import org.openledger.flink.domain.HostResolver;

/**
 * One HTTP(S) fetch under the {@link FetchPolicy}: OkHttp with a {@code Dns} that checks the
 * addresses it hands over (so the address checked is the address connected to: no DNS rebinding), a
 * socket factory that refuses any other connect, no proxy, redirects followed by hand and
 * re-checked, no decompression, a size cap while reading and one deadline over connect, headers and
 * body. {@link FetchRejected} is a decision; an {@link IOException} is transient.
 */
final class HttpContent implements AutoCloseable {

  private final FetchPolicy policy;
  private final HostResolver resolver;
  private final Duration deadline;
  private final int maxBytes;
  private final OkHttpClient client;
  // addresses of allow-listed host names: the socket guard lets these through too
  private final Set<InetAddress> approvedByName = ConcurrentHashMap.newKeySet();

  HttpContent(FetchPolicy policy, HostResolver resolver, Duration deadline, int maxBytes) {
    this.policy = policy;
    this.resolver = resolver;
    this.deadline = deadline;
    this.maxBytes = maxBytes;
    this.client =
        new OkHttpClient.Builder()
            .dns(this::lookup)
            .socketFactory(
                new GuardedSocketFactory(
                    a -> policy.addressAllowed(a) || approvedByName.contains(a)))
            .proxy(Proxy.NO_PROXY)
            .followRedirects(false)
            .followSslRedirects(false)
            .retryOnConnectionFailure(false)
            .connectionPool(new ConnectionPool(8, 1, TimeUnit.MINUTES))
            .callTimeout(deadline)
            .connectTimeout(deadline)
            .readTimeout(deadline)
            .writeTimeout(deadline)
            .build();
  }

  /** The body at {@code uri} (already checked by {@link FetchPolicy#check}). */
  byte[] fetch(URI uri) throws FetchRejected, IOException {
    long end = System.nanoTime() + deadline.toNanos();
    URI current = uri;
    for (int hop = 0; ; hop++) {
      HttpUrl url = HttpUrl.parse(current.toString());
      if (url == null || !sameHost(current.getHost(), url.host())) {
        throw FetchRejected.denied("malformed uri");
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new InterruptedIOException("deadline passed");
      }
      Request request =
          new Request.Builder()
              .url(url)
              .header("Accept-Encoding", "identity") // no transparent gzip: no decompression bombs
              .header("User-Agent", "openledger-content-fetch")
              .get()
              .build();
      Call call = client.newCall(request);
      call.timeout().timeout(left, TimeUnit.NANOSECONDS); // what is left of the attempt's deadline
      try (Response response = call.execute()) {
        int code = response.code();
        switch (FetchRules.classify(code)) {
          case OK -> {
            return body(response);
          }
          case REDIRECT ->
              current = policy.checkRedirect(current, response.header("Location"), hop + 1);
          case TRANSIENT -> throw new TransientStatus(code);
          case REJECTED -> throw new FetchRejected("HTTP " + code);
        }
      } catch (IOException e) {
        if (denied(e)) {
          throw FetchRejected.denied("host not allowed");
        }
        throw e;
      }
    }
  }

  private byte[] body(Response response) throws FetchRejected, IOException {
    String encoding = response.header("Content-Encoding");
    if (encoding != null && !encoding.trim().equalsIgnoreCase("identity")) {
      String e = encoding.trim().toLowerCase(Locale.ROOT);
      throw new FetchRejected(
          e.matches("[a-z0-9-]{1,20}")
              ? "content encoding '" + e + "' not allowed"
              : "content encoding not allowed");
    }
    ResponseBody body = response.body();
    if (body == null) {
      return new byte[0];
    }
    if (body.contentLength() > maxBytes) {
      throw new FetchRejected("content over " + maxBytes + " bytes");
    }
    try (InputStream in = body.byteStream()) {
      return ContentAttempts.bounded(in, maxBytes);
    }
  }

  private List<InetAddress> lookup(String host) throws UnknownHostException {
    List<InetAddress> addresses = resolver.resolve(host);
    try {
      policy.checkAddresses(host, addresses);
    } catch (FetchRejected e) {
      throw new DeniedAddress();
    }
    if (policy.allowsHostByName(host)) {
      approvedByName.addAll(addresses);
    }
    return addresses;
  }

  private static boolean sameHost(String uriHost, String urlHost) {
    if (uriHost == null) {
      return false;
    }
    String h = uriHost.startsWith("[") ? uriHost.substring(1, uriHost.length() - 1) : uriHost;
    if (h.equalsIgnoreCase(urlHost)) {
      return true;
    }
    var a = Cidr.literal(h);
    var b = Cidr.literal(urlHost);
    return a.isPresent() && a.equals(b);
  }

  /** Whether the policy refused an address somewhere in {@code e}'s causes or suppressed ones. */
  private static boolean denied(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DeniedAddress || t instanceof GuardedSocketFactory.DeniedConnect) {
        return true;
      }
      for (Throwable s : t.getSuppressed()) {
        if (denied(s)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  /** The policy refused every address a name resolved to. */
  static final class DeniedAddress extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    DeniedAddress() {
      super("denied by fetch policy");
    }
  }

  /** A status that asks to come back later (408, 429, 5xx). */
  static final class TransientStatus extends IOException {
    private static final long serialVersionUID = 1L;
    final int code;

    TransientStatus(int code) {
      super("HTTP " + code);
      this.code = code;
    }
  }
}
