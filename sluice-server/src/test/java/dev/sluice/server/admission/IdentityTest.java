package dev.sluice.server.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.IdentityConfig;
import dev.sluice.server.http.BadRequestException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Client keys and tiers from headers, API keys, remote addresses and trusted proxies. */
class IdentityTest {

  static final Identity ID = Identity.of(new IdentityConfig("X-Client-ID", "X-API-Key", "X-Tier",
      List.of("10.0.0.0/8", "::1/128"), Map.of("acme", "premium"), "free"));

  static InetAddress ip(String s) {
    return NetUtil.createInetAddressFromIpAddressString(s);
  }

  static HttpHeaders headers(String... nv) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < nv.length; i += 2) {
      h.add(nv[i], nv[i + 1]);
    }
    return h;
  }

  @Test
  void theClientHeaderWinsThenTheApiKeyThenTheAddress() {
    InetAddress remote = ip("198.51.100.7");
    assertThat(ID.clientKey(headers("x-client-id", "c1", "x-api-key", "k"), remote)).isEqualTo("c1");
    assertThat(ID.clientKey(headers("x-api-key", "k"), remote)).isEqualTo(Identity.apiKeyId("k"));
    assertThat(ID.clientKey(headers(), remote)).isEqualTo("198.51.100.7");
    assertThat(ID.clientKey(headers("x-client-id", ""), remote)).isEqualTo("198.51.100.7");
  }

  @Test
  void anOverlongClientIdIsRejected() {
    assertThatThrownBy(() -> ID.clientKey(headers("x-client-id", "x".repeat(257)), ip("10.0.0.1")))
        .isInstanceOf(BadRequestException.class);
  }

  @Test
  void forwardedForIsBelievedOnlyFromTrustedProxies() {
    String xff = "192.0.2.1, 203.0.113.5, 10.2.3.4";
    assertThat(ID.clientAddress(ip("10.9.9.9"), xff).getHostAddress()).isEqualTo("203.0.113.5");
    assertThat(ID.clientAddress(ip("198.51.100.7"), xff).getHostAddress()).isEqualTo("198.51.100.7");
    assertThat(ID.clientAddress(ip("0:0:0:0:0:0:0:1"), "203.0.113.5").getHostAddress()).isEqualTo("203.0.113.5");
    assertThat(ID.clientAddress(ip("10.9.9.9"), "10.1.1.1, 10.2.2.2").getHostAddress()).isEqualTo("10.1.1.1");
    assertThat(ID.clientAddress(ip("10.9.9.9"), "garbage, 10.2.2.2").getHostAddress()).isEqualTo("10.2.2.2");
    assertThat(ID.clientAddress(ip("10.9.9.9"), "evil.example.com").getHostAddress()).isEqualTo("10.9.9.9");
  }

  @Test
  void tiersComeFromTheMapThenTheHeaderThenTheDefault() {
    assertThat(ID.tier("acme", headers("x-tier", "free"))).isEqualTo("premium");
    assertThat(ID.tier("other", headers("x-tier", "gold"))).isEqualTo("gold");
    assertThat(ID.tier("other", headers())).isEqualTo("free");
    assertThat(ID.tierOf("acme", null)).isEqualTo("premium");
    assertThat(ID.tierOf("acme", "free")).isEqualTo("free");
    Identity noHeader = Identity.of(IdentityConfig.defaults("free"));
    assertThat(noHeader.tier("other", headers("x-tier", "gold"))).isEqualTo("free");
  }
}
