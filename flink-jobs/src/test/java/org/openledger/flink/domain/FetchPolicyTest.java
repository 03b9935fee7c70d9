package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetch policy's rules, one by one, and the reasons it gives. */
class FetchPolicyTest {

  @TempDir Path dir;

  private static String denial(FetchPolicy policy, String uri) {
    try {
      policy.check(uri);
      return "allowed";
    } catch (FetchRejected e) {
      return e.reason();
    }
  }

  private static InetAddress ip(String literal) {
    return Cidr.literal(literal).orElseThrow();
  }

  @Test
  void shouldAllowOnlyPublicHttpAndHttpsWhenItIsTheProductionPolicy() {
    FetchPolicy p = FetchPolicy.production();

    assertThat(denial(p, "https://example.org/c.txt")).isEqualTo("allowed");
    assertThat(denial(p, "http://93.184.216.34:8080/c.txt")).isEqualTo("allowed");
    assertThat(denial(p, "file:///etc/passwd"))
        .isEqualTo("uri denied by fetch policy: scheme 'file' not allowed");
    assertThat(denial(p, "ftp://example.org/c.txt"))
        .isEqualTo("uri denied by fetch policy: scheme 'ftp' not allowed");
    assertThat(denial(p, "jar:file:///x.jar!/a"))
        .isEqualTo("uri denied by fetch policy: malformed uri");
    assertThat(denial(p, "/relative/path")).isEqualTo("uri denied by fetch policy: malformed uri");
  }

  @Test
  void shouldDenyLiteralAddressesThatAreNotPublicWithoutResolvingAnything() {
    FetchPolicy p = FetchPolicy.production();

    for (String host :
        List.of(
            "127.0.0.1",
            "[::1]",
            "169.254.169.254",
            "10.0.0.5",
            "[::ffff:127.0.0.1]",
            "0.0.0.0",
            "[fe80::1]",
            "0127.0.0.1")) {
      assertThat(denial(p, "http://" + host + ":8815/"))
          .as(host)
          .isIn(
              "uri denied by fetch policy: host not allowed",
              "uri denied by fetch policy: malformed uri");
    }
    assertThat(denial(p, "http://127.0.0.1:8815/"))
        .isEqualTo("uri denied by fetch policy: host not allowed");
  }

  @Test
  void shouldDenyCredentialsAndHostlessUris() {
    FetchPolicy p = FetchPolicy.production();

    assertThat(denial(p, "http://user:pw@example.org/"))
        .isEqualTo("uri denied by fetch policy: credentials in uri not allowed");
    assertThat(denial(p, "http:///path")).isEqualTo("uri denied by fetch policy: malformed uri");
    assertThat(denial(p, "http://127.1/")).isEqualTo("uri denied by fetch policy: malformed uri");
    assertThat(denial(p, "http://2130706433/"))
        .isEqualTo("uri denied by fetch policy: malformed uri");
    assertThat(denial(p, "https://" + "a".repeat(9000) + ".org/"))
        .isEqualTo("uri denied by fetch policy: malformed uri");
  }

  @Test
  void shouldAllowAnAllowListedBlockOrNameOnly() throws Exception {
    FetchPolicy p = FetchPolicy.of("http", "", "127.0.0.1/32, content.test", 0);

    assertThat(denial(p, "http://127.0.0.1:9/")).isEqualTo("allowed");
    assertThat(denial(p, "http://127.0.0.2:9/"))
        .isEqualTo("uri denied by fetch policy: host not allowed");
    p.checkAddresses("content.test", List.of(ip("10.0.0.1")));
    p.checkAddresses("CONTENT.TEST", List.of(ip("10.0.0.1")));
    assertThatThrownBy(() -> p.checkAddresses("other.test", List.of(ip("10.0.0.1"))))
        .hasMessage("uri denied by fetch policy: host not allowed");
    assertThatThrownBy(() -> p.checkAddresses("mixed.test", List.of(ip("8.8.8.8"), ip("10.0.0.1"))))
        .isInstanceOf(FetchRejected.class);
    assertThatThrownBy(() -> p.checkAddresses("none.test", List.of()))
        .isInstanceOf(FetchRejected.class);
  }

  @Test
  void shouldRecheckEveryRedirectAndKeepItsScheme() throws Exception {
    FetchPolicy none = FetchPolicy.production();
    FetchPolicy two = FetchPolicy.of("https,http", "", "", 2);
    URI from = URI.create("https://example.org/a/b");

    assertThatThrownBy(() -> none.checkRedirect(from, "/c", 1))
        .hasMessage("uri denied by fetch policy: redirect not allowed");
    assertThat(two.checkRedirect(from, "c", 1)).isEqualTo(URI.create("https://example.org/a/c"));
    assertThatThrownBy(() -> two.checkRedirect(from, "/c", 3))
        .hasMessage("uri denied by fetch policy: more than 2 redirects");
    assertThatThrownBy(() -> two.checkRedirect(from, "http://example.org/", 1))
        .hasMessage("uri denied by fetch policy: redirect to another scheme not allowed");
    assertThatThrownBy(() -> two.checkRedirect(from, "https://169.254.169.254/latest/", 1))
        .hasMessage("uri denied by fetch policy: host not allowed");
    assertThatThrownBy(() -> two.checkRedirect(from, null, 1))
        .hasMessage("uri denied by fetch policy: malformed redirect");
  }

  @Test
  void shouldResolveOnlyRegularFilesUnderTheRealRoot() throws Exception {
    Path root = Files.createDirectories(dir.resolve("content"));
    Path good = Files.writeString(root.resolve("good.txt"), "x");
    Files.writeString(dir.resolve("outside.txt"), "secret");
    Path link = Files.createSymbolicLink(root.resolve("out.txt"), dir.resolve("outside.txt"));
    Path rootLink = Files.createSymbolicLink(dir.resolve("root-link"), root);
    FetchPolicy p = FetchPolicy.of("file", rootLink.toString(), "", 0);

    assertThat(p.resolveFile(good.toUri())).isEqualTo(good.toRealPath());
    assertThat(p.resolveFile(rootLink.resolve("good.txt").toUri())).isEqualTo(good.toRealPath());
    for (URI denied :
        List.of(
            link.toUri(),
            root.toUri(),
            dir.resolve("outside.txt").toUri(),
            root.resolve("missing.txt").toUri(),
            URI.create("file:///dev/zero"),
            URI.create("file:///proc/self/environ"),
            URI.create("file://host/etc/passwd"),
            URI.create(root.toUri() + "..%2F..%2Fetc%2Fpasswd"))) {
      assertThatThrownBy(() -> p.resolveFile(denied))
          .as(denied.toString())
          .hasMessage("uri denied by fetch policy: path not allowed");
    }
  }

  @Test
  void shouldTreatAMissingContentRootAsTheOperatorsProblemNotTheUris() {
    FetchPolicy p = FetchPolicy.of("file", dir.resolve("absent").toString(), "", 0);

    assertThatThrownBy(() -> p.resolveFile(dir.resolve("absent/c.txt").toUri()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void shouldRefuseAFileSchemeWithoutARootAndARootWithoutTheFileScheme() {
    assertThatThrownBy(() -> FetchPolicy.of("file,https", "", "", 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FetchPolicy.of("https", "/srv/content", "", 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FetchPolicy.of("gopher", "", "", 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FetchPolicy.of("https", "", "not a host!", 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
