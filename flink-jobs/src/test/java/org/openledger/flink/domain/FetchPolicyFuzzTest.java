package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The policy over thousands of generated URIs, random strings and structured ones with random
 * schemes, hosts, addresses and paths: it never throws anything but its own rejection, and what it
 * allows has an allowed scheme and, when the host is an address, an allowed one.
 */
class FetchPolicyFuzzTest {

  private static final FetchPolicy PRODUCTION = FetchPolicy.production();
  private static final FetchPolicy WITH_FILES =
      FetchPolicy.of("file,https", "/srv/content", "192.0.2.0/24, content.test", 2);

  @Property(tries = 3000)
  void shouldOnlyEverRejectWhenTheUriIsRandomText(@ForAll String raw) {
    for (FetchPolicy policy : List.of(PRODUCTION, WITH_FILES)) {
      checkInvariants(policy, raw);
    }
  }

  @Property(tries = 5000)
  void shouldAllowOnlyAllowedSchemesAndAddressesWhenTheUriIsStructured(@ForAll("uris") String raw) {
    for (FetchPolicy policy : List.of(PRODUCTION, WITH_FILES)) {
      checkInvariants(policy, raw);
    }
  }

  @Property(tries = 3000)
  void shouldNeverAllowAResolvedAddressThatIsNeitherPublicNorAllowListed(
      @ForAll("addresses") List<InetAddress> resolved, @ForAll("hosts") String host) {
    boolean allowed;
    try {
      WITH_FILES.checkAddresses(host, resolved);
      allowed = true;
    } catch (FetchRejected e) {
      assertThat(e.reason()).isEqualTo("uri denied by fetch policy: host not allowed");
      allowed = false;
    }
    if (allowed && !WITH_FILES.allowsHostByName(host)) {
      assertThat(resolved)
          .isNotEmpty()
          .allSatisfy(
              a ->
                  assertThat(
                          AddressClassifier.isPublic(a) || Cidr.parse("192.0.2.0/24").contains(a))
                      .isTrue());
    }
  }

  private static void checkInvariants(FetchPolicy policy, String raw) {
    URI uri;
    try {
      uri = policy.check(raw);
    } catch (FetchRejected e) {
      assertThat(e.reason()).startsWith("uri denied by fetch policy: ").hasSizeLessThan(80);
      return;
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    assertThat(policy.schemes()).contains(scheme);
    if (!scheme.equals("file")) {
      assertThat(uri.getHost()).isNotBlank();
      assertThat(uri.getRawUserInfo()).isNull();
      Cidr.literal(uri.getHost())
          .ifPresent(
              a ->
                  assertThat(policy.addressAllowed(a) || policy.allowsHostByName(uri.getHost()))
                      .as("%s allowed although %s is denied", raw, a)
                      .isTrue());
    }
  }

  @Provide
  Arbitrary<String> uris() {
    Arbitrary<String> schemes =
        Arbitraries.of(
            "http",
            "https",
            "HTTP",
            "HtTpS",
            "file",
            "FILE",
            "ftp",
            "gopher",
            "jar",
            "data",
            "javascript",
            "",
            "h",
            "http+unix");
    Arbitrary<String> seps = Arbitraries.of("://", ":", ":/", ":///", "://@", "://user@", "//");
    Arbitrary<String> ports =
        Arbitraries.oneOf(
            Arbitraries.just(""),
            Arbitraries.integers().between(0, 70000).map(p -> ":" + p),
            Arbitraries.of(":", ":-1", ":0x50", ":80a"));
    Arbitrary<String> paths =
        Arbitraries.oneOf(
            Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(30).map(s -> "/" + s),
            Arbitraries.of("", "/", "/../../etc/passwd", "/%2e%2e/", "?q=1", "#frag", "/c.txt"));
    return Combinators.combine(schemes, seps, hosts(), ports, paths)
        .as((s, sep, h, p, path) -> s + sep + h + p + path);
  }

  @Provide
  Arbitrary<String> hosts() {
    Arbitrary<String> v4 =
        Arbitraries.bytes().array(byte[].class).ofSize(4).map(FetchPolicyFuzzTest::dotted);
    Arbitrary<String> special =
        Arbitraries.of(
            "127.0.0.1",
            "169.254.169.254",
            "10.1.2.3",
            "0.0.0.0",
            "localhost",
            "[::1]",
            "[::]",
            "[::ffff:127.0.0.1]",
            "[::ffff:7f00:1]",
            "[fe80::1%25eth0]",
            "[64:ff9b::a9fe:a9fe]",
            "[2002:7f00:1::]",
            "127.1",
            "2130706433",
            "0x7f000001",
            "0177.0.0.1",
            "0127.0.0.1",
            "127.000.000.001",
            "[0:0:0:0:0:0:0:1]",
            "content.test",
            "CONTENT.TEST",
            "192.0.2.7",
            "8.8.8.8",
            "xn--bcher-kva.example",
            "a_b.example",
            "exa mple.org",
            "",
            "[",
            "]",
            "@",
            "127.0.0.1.nip.io",
            "evil.com\\@127.0.0.1",
            "1.1.1.1#@127.0.0.1",
            "127.0.0.1:80@evil.com");
    Arbitrary<String> v6 =
        Arbitraries.bytes().array(byte[].class).ofSize(16).map(b -> "[" + hex6(b) + "]");
    Arbitrary<String> names =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars('.', '-', '0', '9')
            .ofMinLength(1)
            .ofMaxLength(20);
    return Arbitraries.oneOf(v4, special, v6, names);
  }

  @Provide
  Arbitrary<List<InetAddress>> addresses() {
    Arbitrary<InetAddress> one =
        Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofSize(4),
                Arbitraries.bytes().array(byte[].class).ofSize(16),
                Arbitraries.of(
                    new byte[] {127, 0, 0, 1},
                    new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254},
                    new byte[] {(byte) 192, 0, 2, 9}))
            .map(FetchPolicyFuzzTest::address);
    return one.list().ofMaxSize(4);
  }

  private static InetAddress address(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String dotted(byte[] b) {
    return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
  }

  private static String hex6(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 16; i += 2) {
      s.append(i == 0 ? "" : ":")
          .append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)));
    }
    return s.toString();
  }
}
