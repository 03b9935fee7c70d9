package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which addresses a content URI may reach: public ones only, whatever the spelling. */
class AddressClassifierTest {

  private static InetAddress ip(String literal) {
    return Cidr.literal(literal).orElseThrow();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.255.255.254",
        "0.0.0.0",
        "0.1.2.3",
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "100.64.0.1",
        "100.127.255.255",
        "169.254.169.254",
        "169.254.0.1",
        "224.0.0.1",
        "239.255.255.250",
        "255.255.255.255",
        "240.0.0.1",
        "192.0.2.1",
        "198.18.0.1",
        "198.51.100.7",
        "203.0.113.9",
        "192.0.0.8",
        "::",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:10.1.2.3",
        "::ffff:169.254.169.254",
        "fe80::1",
        "febf::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "fec0::1",
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::1",
        "2002:c0a8:101::",
        "2001:db8::1",
        "2001::1",
        "::7f00:1",
        "100::1",
        "0127.0.0.1",
        "010.0.0.1"
      })
  void shouldDenyWhenTheAddressIsNotPublic(String literal) {
    assertThat(AddressClassifier.deniedRange(ip(literal))).as(literal).isPresent();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "8.8.8.8",
        "1.1.1.1",
        "172.32.0.1",
        "172.15.255.255",
        "100.128.0.1",
        "100.63.255.255",
        "169.255.0.1",
        "192.169.0.1",
        "223.255.255.254",
        "2606:4700:4700::1111",
        "2a00:1450:4001:82a::200e",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1"
      })
  void shouldAllowWhenTheAddressIsPublic(String literal) {
    assertThat(AddressClassifier.deniedRange(ip(literal))).as(literal).isEmpty();
  }

  @Test
  void shouldNameTheRangeForOperatorsLogs() {
    assertThat(AddressClassifier.deniedRange(ip("169.254.169.254")))
        .hasValue("link-local (cloud metadata)");
    assertThat(AddressClassifier.deniedRange(ip("::1"))).hasValue("loopback");
  }

  @Test
  void shouldJudgeAnIpv4MappedIpv6AddressThatJavaKeepsAsIpv6ByItsIpv4Address() throws Exception {
    byte[] bytes = new byte[16];
    bytes[10] = (byte) 0xff;
    bytes[11] = (byte) 0xff;
    bytes[12] = 127;
    bytes[15] = 1;
    InetAddress mapped = Inet6Address.getByAddress(null, bytes, -1);

    assertThat(mapped).isInstanceOf(Inet6Address.class);
    assertThat(AddressClassifier.deniedRange(mapped)).hasValue("IPv4-embedding IPv6 of loopback");
  }

  @Property(tries = 2000)
  void shouldJudgeEveryIpv4EmbeddingLikeTheIpv4AddressItself(@ForAll @Size(4) byte[] v4)
      throws Exception {
    InetAddress plain = InetAddress.getByAddress(v4);
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(v4, 0, mapped, 12, 4);
    byte[] nat64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    System.arraycopy(v4, 0, nat64, 12, 4);
    byte[] sixToFour = new byte[16];
    sixToFour[0] = 0x20;
    sixToFour[1] = 0x02;
    System.arraycopy(v4, 0, sixToFour, 2, 4);
    boolean expected = AddressClassifier.isPublic(plain);

    assertThat(AddressClassifier.isPublic(Inet6Address.getByAddress(null, mapped, -1)))
        .isEqualTo(expected);
    assertThat(AddressClassifier.isPublic(InetAddress.getByAddress(nat64))).isEqualTo(expected);
    assertThat(AddressClassifier.isPublic(InetAddress.getByAddress(sixToFour))).isEqualTo(expected);
  }

  @Test
  void shouldParseLiteralsWithoutEverResolvingANameWhenAskedForOne() {
    assertThat(Cidr.literal("localhost")).isEmpty();
    assertThat(Cidr.literal("example.org")).isEmpty();
    assertThat(Cidr.literal("999.1.1.1")).isEmpty();
    assertThat(Cidr.literal("[::1]")).hasValue(ip("::1"));
    assertThat(Cidr.literal("0127.000.0.01")).hasValue(ip("127.0.0.1"));
  }

  @Test
  void shouldContainExactlyTheAddressesOfTheBlock() {
    Cidr block = Cidr.parse("172.16.0.0/12");

    assertThat(block.contains(ip("172.16.0.0"))).isTrue();
    assertThat(block.contains(ip("172.31.255.255"))).isTrue();
    assertThat(block.contains(ip("172.32.0.0"))).isFalse();
    assertThat(block.contains(ip("::ffff:172.16.0.1"))).isTrue(); // Java reads it as IPv4
    assertThat(Cidr.parse("fc00::/7").contains(ip("fdff::1"))).isTrue();
    assertThat(Cidr.parse("10.1.2.3")).isEqualTo(Cidr.parse("10.1.2.3/32"));
    assertThat(Cidr.parse("10.1.2.3/8")).hasToString("10.0.0.0/8");
  }

  @Test
  void shouldRefuseABlockThatIsNotOne() {
    assertThatThrownBy(() -> Cidr.parse("localhost/8"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).isInstanceOf(IllegalArgumentException.class);
  }
}
