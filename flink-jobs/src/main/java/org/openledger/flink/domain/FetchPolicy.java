package org.openledger.flink.domain;

import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a content URI from the chain may point at: which schemes, which files (only regular files
 * under a configured content root, symlinks followed), which hosts (no loopback, private,
 * link-local or other non-public address unless allow-listed) and how many redirects. Content URIs
 * are hostile; every denial is a deterministic {@link FetchRejected} whose reason says which rule
 * refused, never whether a file exists or what a name resolved to.
 *
 * @param schemes allowed schemes, a subset of {@code file}, {@code http}, {@code https}
 * @param contentRoot the folder {@code file://} URIs must lie under; empty when file is not allowed
 * @param allowCidrs address blocks allowed although not public (tests, demos)
 * @param allowHosts host names allowed whatever they resolve to (tests, demos)
 * @param maxRedirects redirects followed per fetch (0: none)
 */
public record FetchPolicy(
    Set<String> schemes,
    String contentRoot,
    List<Cidr> allowCidrs,
    Set<String> allowHosts,
    int maxRedirects)
    implements Serializable {

  /** The schemes a policy may ever allow. */
  public static final Set<String> KNOWN_SCHEMES = Set.of("file", "http", "https");

  private static final int MAX_URI_LENGTH = 8192;

  public FetchPolicy {
    schemes = Set.copyOf(schemes);
    contentRoot = contentRoot == null ? "" : contentRoot.trim();
    allowCidrs = List.copyOf(allowCidrs);
    allowHosts = Set.copyOf(allowHosts);
    if (schemes.isEmpty() || !KNOWN_SCHEMES.containsAll(schemes)) {
      throw new IllegalArgumentException("schemes must be some of file, http, https: " + schemes);
    }
    if (schemes.contains("file") != !contentRoot.isEmpty()) {
      throw new IllegalArgumentException(
          "file:// needs a content root and a content root needs the file scheme");
    }
    if (maxRedirects < 0) {
      throw new IllegalArgumentException("maxRedirects must not be negative");
    }
  }

  /** Production: https and http to public addresses only, no files, no redirects. */
  public static FetchPolicy production() {
    return of("https,http", "", "", 0);
  }

  /**
   * A policy from its configured text: schemes and the allow-list are comma-separated; an
   * allow-list entry is a CIDR block, a literal address or a host name.
   */
  public static FetchPolicy of(
      String schemes, String contentRoot, String allowList, int redirects) {
    Set<String> s = new LinkedHashSet<>();
    for (String scheme : schemes.split(",")) {
      if (!scheme.isBlank()) {
        s.add(scheme.trim().toLowerCase(Locale.ROOT));
      }
    }
    List<Cidr> cidrs = new ArrayList<>();
    Set<String> hosts = new LinkedHashSet<>();
    for (String entry : allowList.split(",")) {
      String e = entry.trim().toLowerCase(Locale.ROOT);
      if (e.isEmpty()) {
        continue;
      }
      if (e.contains("/") || Cidr.literal(e).isPresent()) {
        cidrs.add(Cidr.parse(e));
      } else if (e.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
        hosts.add(e);
      } else {
        throw new IllegalArgumentException("not a CIDR, address or host name: " + e);
      }
    }
    return new FetchPolicy(s, contentRoot, cidrs, hosts, redirects);
  }

  /**
   * Checks what can be checked without touching the network or the disk: syntax, scheme, no
   * credentials, and a host that is a literal address must be allowed. Names are checked later,
   * against the very addresses connected to ({@link #checkAddresses}).
   */
  public URI check(String raw) throws FetchRejected {
    if (raw == null || raw.isEmpty() || raw.length() > MAX_URI_LENGTH) {
      throw FetchRejected.denied("malformed uri");
    }
    URI uri;
    try {
      uri = new URI(raw);
    } catch (URISyntaxException e) {
      throw FetchRejected.denied("malformed uri");
    }
    if (!uri.isAbsolute() || uri.isOpaque()) {
      throw FetchRejected.denied("malformed uri");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!schemes.contains(scheme)) {
      throw FetchRejected.denied(
          scheme.matches("[a-z][a-z0-9+.-]{0,15}")
              ? "scheme '" + scheme + "' not allowed"
              : "scheme not allowed");
    }
    if (scheme.equals("file")) {
      return uri; // the path is checked against the content root when it is read
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty() || uri.getPort() > 65535) {
      throw FetchRejected.denied("malformed uri");
    }
    if (uri.getRawUserInfo() != null) {
      throw FetchRejected.denied("credentials in uri not allowed");
    }
    var literal = Cidr.literal(host);
    if (literal.isPresent()) {
      checkAddresses(host, List.of(literal.get()));
    } else if (host.startsWith("[") || host.matches("[0-9.]+")) {
      // an IPv6 literal with a zone, or digits that are no dotted quad (2130706433): HTTP clients
      // read these as addresses in forms of their own; no DNS name looks like this, so refuse
      throw FetchRejected.denied("malformed uri");
    }
    return uri;
  }

  /**
   * Allows {@code host} only if it is allow-listed by name or every address it resolved to is
   * allowed: one denied address denies the host, so a fetch never picks the good one by chance.
   */
  public void checkAddresses(String host, List<InetAddress> addresses) throws FetchRejected {
    if (allowsHostByName(host)) {
      return;
    }
    if (addresses.isEmpty() || !addresses.stream().allMatch(this::addressAllowed)) {
      throw FetchRejected.denied("host not allowed");
    }
  }

  /** Whether {@code host} is allow-listed by name (then any address it resolves to is fine). */
  public boolean allowsHostByName(String host) {
    return host != null && allowHosts.contains(host.toLowerCase(Locale.ROOT));
  }

  /** Whether a connection to {@code address} is allowed: public, or inside an allowed block. */
  public boolean addressAllowed(InetAddress address) {
    return AddressClassifier.isPublic(address)
        || allowCidrs.stream().anyMatch(c -> c.contains(address));
  }

  /**
   * The next hop of a redirect from {@code from} to {@code location}, checked like a first URI:
   * only within {@link #maxRedirects} hops ({@code hop} counts from 1) and the same scheme.
   */
  public URI checkRedirect(URI from, String location, int hop) throws FetchRejected {
    if (maxRedirects == 0) {
      throw FetchRejected.denied("redirect not allowed");
    }
    if (hop > maxRedirects) {
      throw FetchRejected.denied("more than " + maxRedirects + " redirects");
    }
    if (location == null || location.isBlank()) {
      throw FetchRejected.denied("malformed redirect");
    }
    URI next;
    try {
      next = from.resolve(new URI(location.trim()));
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw FetchRejected.denied("malformed redirect");
    }
    if (next.getScheme() == null || !next.getScheme().equalsIgnoreCase(from.getScheme())) {
      throw FetchRejected.denied("redirect to another scheme not allowed");
    }
    return check(next.toString());
  }

  /**
   * The real path of a {@code file://} URI: a regular file whose real path (symlinks followed) lies
   * under the content root's. Every other case (outside, missing, a folder, a device, a link out)
   * is denied with one reason, so the answer does not tell whether a file exists.
   *
   * @throws IOException when the content root itself is missing: the operator's problem, transient
   */
  public Path resolveFile(URI uri) throws FetchRejected, IOException {
    if (!schemes.contains("file") || !"file".equalsIgnoreCase(uri.getScheme())) {
      throw FetchRejected.denied("scheme 'file' not allowed");
    }
    Path root = Path.of(contentRoot).toRealPath();
    Path real;
    try {
      real = Path.of(uri).toRealPath();
    } catch (IOException | RuntimeException e) {
      throw FetchRejected.denied("path not allowed");
    }
    if (!real.startsWith(root)
        || real.equals(root)
        || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
      throw FetchRejected.denied("path not allowed");
    }
    return real;
  }
}
