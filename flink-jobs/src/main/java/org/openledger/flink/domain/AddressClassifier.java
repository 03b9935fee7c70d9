package org.openledger.flink.domain;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Says whether an address is somewhere a hostile URI must not reach: loopback, private, link-local
 * (cloud metadata at 169.254.169.254), CGNAT, multicast, reserved and the like. IPv4 is checked
 * against the special-purpose ranges; IPv6 is public only inside global unicast (2000::/3) outside
 * its special blocks, and addresses that embed an IPv4 one (mapped, NAT64, 6to4) are judged by it.
 */
public final class AddressClassifier {

  private record Range(Cidr block, String name) {}

  private static final List<Range> IPV4 =
      List.of(
          range("0.0.0.0/8", "this network"),
          range("10.0.0.0/8", "private"),
          range("100.64.0.0/10", "shared address space (CGNAT)"),
          range("127.0.0.0/8", "loopback"),
          range("169.254.0.0/16", "link-local (cloud metadata)"),
          range("172.16.0.0/12", "private"),
          range("192.0.0.0/24", "IETF protocol assignments"),
          range("192.0.2.0/24", "documentation"),
          range("192.88.99.0/24", "6to4 relay anycast"),
          range("192.168.0.0/16", "private"),
          range("198.18.0.0/15", "benchmarking"),
          range("198.51.100.0/24", "documentation"),
          range("203.0.113.0/24", "documentation"),
          range("224.0.0.0/4", "multicast"),
          range("240.0.0.0/4", "reserved or broadcast"));

  private static final Cidr GLOBAL_UNICAST = Cidr.parse("2000::/3");
  private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
  private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

  private static final List<Range> IPV6_GLOBAL_SPECIAL =
      List.of(
          range("2001::/32", "Teredo"),
          range("2001:2::/48", "benchmarking"),
          range("2001:10::/28", "ORCHID"),
          range("2001:20::/28", "ORCHIDv2"),
          range("2001:db8::/32", "documentation"),
          range("3fff::/20", "documentation"));

  private AddressClassifier() {}

  private static Range range(String cidr, String name) {
    return new Range(Cidr.parse(cidr), name);
  }

  /** The kind of non-public range {@code address} lies in, or empty when it is public. */
  public static Optional<String> deniedRange(InetAddress address) {
    byte[] a = address.getAddress();
    if (address instanceof Inet4Address || a.length == 4) {
      return IPV4.stream().filter(r -> r.block().contains(address)).map(Range::name).findFirst();
    }
    if (mapped(a) || NAT64.contains(address)) {
      return deniedRange(v4(a, 12)).map(n -> "IPv4-embedding IPv6 of " + n);
    }
    if (SIX_TO_FOUR.contains(address)) {
      return deniedRange(v4(a, 2)).map(n -> "6to4 of " + n);
    }
    if (!GLOBAL_UNICAST.contains(address)) {
      return Optional.of(ipv6Kind(a));
    }
    return IPV6_GLOBAL_SPECIAL.stream()
        .filter(r -> r.block().contains(address))
        .map(Range::name)
        .findFirst();
  }

  /** Whether {@code address} is public (no denied range applies). */
  public static boolean isPublic(InetAddress address) {
    return deniedRange(address).isEmpty();
  }

  /** ::ffff:0:0/96 (Java turns most of these into IPv4 addresses itself, but not all). */
  private static boolean mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
  }

  private static String ipv6Kind(byte[] a) {
    int first = a[0] & 0xff;
    int second = a[1] & 0xff;
    if (first == 0xff) {
      return "multicast";
    }
    if (first == 0xfe && (second & 0xc0) == 0x80) {
      return "link-local";
    }
    if (first == 0xfe && (second & 0xc0) == 0xc0) {
      return "site-local";
    }
    if ((first & 0xfe) == 0xfc) {
      return "unique local";
    }
    boolean zeroUpTo15 = true;
    for (int i = 0; i < 15; i++) {
      zeroUpTo15 &= a[i] == 0;
    }
    if (zeroUpTo15 && a[15] == 0) {
      return "unspecified";
    }
    if (zeroUpTo15 && a[15] == 1) {
      return "loopback";
    }
    return "not global unicast";
  }

  private static InetAddress v4(byte[] a, int from) {
    try {
      return InetAddress.getByAddress(new byte[] {a[from], a[from + 1], a[from + 2], a[from + 3]});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an address
    }
  }
}
