package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The syntactic IPv4 and IPv6 address checks behind {@code identity.trusted-proxies}. */
class CidrsTest {

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "255.255.255.255", "10.1.2.3", "127.0.0.1"})
  void validIpv4(String address) {
    assertThat(Cidrs.isIpv4(address)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1..3.4", "a.b.c.d", "1.2.3.4 ", "+1.2.3.4"})
  void invalidIpv4(String address) {
    assertThat(Cidrs.isIpv4(address)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"::", "::1", "1::", "fe80::1", "2001:db8:0:0:0:0:2:1", "1:2:3:4:5:6:7::",
      "::2:3:4:5:6:7:8", "::ffff:192.0.2.1", "64:ff9b::192.0.2.33", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"})
  void validIpv6(String address) {
    assertThat(Cidrs.isIpv6(address)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:", "12345::", "g::1", "::1.2.3", "1.2.3.4::", "1:2:3:4:5:6:7:8::", "fe80::1%eth0"})
  void invalidIpv6(String address) {
    assertThat(Cidrs.isIpv6(address)).isFalse();
  }
}
