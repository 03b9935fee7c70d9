package org.openledger.flink.domain;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An address block ({@code 10.0.0.0/8}, {@code fc00::/7}) and the literal-address parsing the fetch
 * policy needs: literals are parsed without ever asking DNS, so a check cannot be steered by it.
 */
public final class Cidr implements Serializable {

  private static final long serialVersionUID = 1L;
  // decimal parts, leading zeros allowed (and read as decimal, as the JDK and OkHttp read them)
  private static final Pattern IPV4 = Pattern.compile("\\d{1,8}(\\.\\d{1,8}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

  private final byte[] network;
  private final int prefix;

  private Cidr(byte[] network, int prefix) {
    this.network = mask(network, prefix);
    this.prefix = prefix;
  }

  /** Parses {@code address/prefix} or a single literal address (a /32 or /128). */
  public static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    InetAddress a =
        literal(address)
            .orElseThrow(() -> new IllegalArgumentException("not an IP address: " + address));
    int bits = a.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = s.substring(slash + 1);
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
        throw new IllegalArgumentException("not a prefix length: " + p);
      }
      prefix = Integer.parseInt(p);
    }
    return new Cidr(a.getAddress(), prefix);
  }

  /**
   * The address {@code host} spells literally (dotted-quad IPv4, or IPv6 with or without brackets),
   * or empty when it is a name. Never resolves; IPv4-mapped IPv6 comes back as IPv4.
   */
  public static Optional<InetAddress> literal(String host) {
    if (host == null || host.isEmpty() || host.length() > 64) {
      return Optional.empty();
    }
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    try {
      if (IPV4.matcher(h).matches()) {
        String[] parts = h.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
          int part = Integer.parseInt(parts[i]);
          if (part > 255) {
            return Optional.empty();
          }
          bytes[i] = (byte) part;
        }
        return Optional.of(InetAddress.getByAddress(bytes));
      }
      if (h.indexOf(':') >= 0 && IPV6.matcher(h).matches()) {
        // bracketed, it is parsed as an IPv6 literal or refused, never looked up
        return Optional.of(InetAddress.getByName("[" + h + "]"));
      }
    } catch (UnknownHostException | IllegalArgumentException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    return a.length == network.length && Arrays.equals(mask(a, prefix), network);
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - keep)));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefix;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
