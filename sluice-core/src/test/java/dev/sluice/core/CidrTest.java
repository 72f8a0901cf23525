package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one CIDR parser: syntactic IPv4 and IPv6 checks, the bytes of the block, the normal form. */
class CidrTest {

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "255.255.255.255", "10.1.2.3", "127.0.0.1"})
  void validIpv4(String address) {
    assertThat(Cidr.isIpv4(address)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1..3.4", "a.b.c.d", "1.2.3.4 ", "+1.2.3.4"})
  void invalidIpv4(String address) {
    assertThat(Cidr.isIpv4(address)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"::", "::1", "1::", "fe80::1", "2001:db8:0:0:0:0:2:1", "1:2:3:4:5:6:7::",
      "::2:3:4:5:6:7:8", "::ffff:192.0.2.1", "64:ff9b::192.0.2.33", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"})
  void validIpv6(String address) {
    assertThat(Cidr.isIpv6(address)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:", "12345::", "g::1", "::1.2.3", "1.2.3.4::", "1:2:3:4:5:6:7:8::", "fe80::1%eth0"})
  void invalidIpv6(String address) {
    assertThat(Cidr.isIpv6(address)).isFalse();
  }

  @Test
  void parsesTheBytesAndThePrefix() {
    Cidr v4 = Cidr.parse(" 10.1.2.3/8 ");
    assertThat(v4.address()).containsExactly(10, 1, 2, 3);
    assertThat(v4.prefixLength()).isEqualTo(8);
    assertThat(v4).hasToString("10.1.2.3/8");
    assertThat(Cidr.parse("192.168.1.7")).hasToString("192.168.1.7/32");
    Cidr v6 = Cidr.parse("2001:DB8::1:2/64");
    assertThat(v6.address()).containsExactly(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2);
    assertThat(v6).hasToString("2001:db8::1:2/64");
    assertThat(Cidr.parse("::ffff:192.0.2.1").address())
        .containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1);
    assertThat(Cidr.parse("::").address()).hasSize(16).containsOnly(0);
    assertThat(Cidr.parse("1:2:3:4:5:6:7::").address()).endsWith(0, 7, 0, 0);
    assertThat(Cidr.parse("::1/128")).isEqualTo(Cidr.parse("0:0:0:0:0:0:0:1"));
  }

  @Test
  void rejectsWithWhatWasExpected() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0/8"))
        .hasMessage("cidr: 10.0.0/8 (expected: " + Cidr.EXPECTED + ")");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33"))
        .hasMessage("cidr: 10.0.0.0/33 (expected: a prefix length 0..32)");
    assertThatThrownBy(() -> Cidr.parse("::1/08")).hasMessage("cidr: ::1/08 (expected: a prefix length 0..128)");
    assertThatThrownBy(() -> Cidr.parse("localhost")).hasMessageContaining(Cidr.EXPECTED);
  }

  @ParameterizedTest
  @CsvSource({
      "10.0.0.0/8, 10.255.1.2, true",
      "10.0.0.0/8, 11.0.0.1, false",
      "192.168.1.128/25, 192.168.1.200, true",
      "192.168.1.128/25, 192.168.1.127, false",
      "0.0.0.0/0, 203.0.113.9, true",
      "0.0.0.0/0, 2001:db8::1, false",
      "203.0.113.9, 203.0.113.9, true",
      "203.0.113.9, 203.0.113.8, false",
      "2001:db8::/32, 2001:db8:ffff::1, true",
      "2001:db8::/32, 2001:db9::1, false",
      "2001:db8::/33, 2001:db8:7fff::1, true",
      "2001:db8::/33, 2001:db8:8000::1, false",
      "::/0, 10.0.0.1, true",
      "::1, ::1, true",
      "::1, 127.0.0.1, false",
      "::ffff:10.0.0.0/104, 10.9.9.9, true",
      "::ffff:10.0.0.0/104, 11.9.9.9, false",
      "10.0.0.0/8, ::ffff:10.1.2.3, true",
  })
  void containsAddressesInTheBlock(String block, String address, boolean in) throws Exception {
    assertThat(Cidr.parse(block).contains(java.net.InetAddress.getByName(address))).as(block + " ∋ " + address)
        .isEqualTo(in);
  }
}
