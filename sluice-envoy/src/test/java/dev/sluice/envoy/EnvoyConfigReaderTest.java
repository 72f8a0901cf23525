package dev.sluice.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * envoyproxy/ratelimit files read unchanged; the checklist of their config tests (basic tree,
 * wildcards, unlimited, shadow mode, replaces, and every rejected file), with Sluice's own files.
 */
class EnvoyConfigReaderTest {

  static final String SHOP = """
      domain: shop
      descriptors:
        - key: tenant
          value: acme
          descriptors:
            - key: route
              rate_limit: {unit: second, requests_per_unit: 4}
            - key: route
              value: checkout
              rate_limit: {unit: second, requests_per_unit: 2}
        - key: tenant
          rate_limit: {unit: minute, requests_per_unit: 60}
        - key: tenant
          value: internal
        - key: user
          value: "bot-*"
          rate_limit: {unit: hour, requests_per_unit: 7}
        - key: path
          value: /v1/*/items*
          rate_limit: {unit: day, requests_per_unit: 9}
        - key: plan
          value: gold
          rate_limit: {unlimited: true}
        - key: canary
          shadow_mode: true
          rate_limit: {unit: second, requests_per_unit: 1}
        - key: ip
          value: 10
          rate_limit: {unit: week, requests_per_unit: 3, name: ip-ten, replaces: [{name: ip-any}]}
        - key: ip
          rate_limit: {unit: year, requests_per_unit: 5, name: ip-any, burst: 2}
        - key: quota
          quota_mode: true
          rate_limit: {unit: second, requests_per_unit: 1}
      """;

  static Map<String, String> files(String... nameThenYaml) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < nameThenYaml.length; i += 2) {
      m.put(nameThenYaml[i], nameThenYaml[i + 1]);
    }
    return m;
  }

  static List<RateLimitDescriptor.Entry> entries(String... keyThenValue) {
    List<RateLimitDescriptor.Entry> list = new ArrayList<>();
    for (int i = 0; i < keyThenValue.length; i += 2) {
      list.add(RateLimitDescriptor.Entry.newBuilder().setKey(keyThenValue[i]).setValue(keyThenValue[i + 1]).build());
    }
    return list;
  }

  static String keyOf(EnvoyRule rule) {
    return rule == null ? null : rule.fullKey();
  }

  @Test
  void mostSpecificMatchWins() throws ConfigException {
    EnvoyLimits limits = EnvoyConfigReader.read(files("shop.yaml", SHOP));
    assertThat(keyOf(limits.match("shop", entries("tenant", "acme", "route", "checkout"))))
        .isEqualTo("shop.tenant_acme.route_checkout");
    assertThat(keyOf(limits.match("shop", entries("tenant", "acme", "route", "search"))))
        .isEqualTo("shop.tenant_acme.route");
    // tenant_acme has no rate_limit of its own, and a deeper request than the config has none either.
    assertThat(limits.match("shop", entries("tenant", "acme"))).isNull();
    assertThat(limits.match("shop", entries("tenant", "acme", "route", "x", "extra", "y"))).isNull();
    assertThat(keyOf(limits.match("shop", entries("tenant", "other")))).isEqualTo("shop.tenant");
    // A value listed without a limit takes it out of the default.
    assertThat(limits.match("shop", entries("tenant", "internal"))).isNull();
    assertThat(limits.match("shop", entries("nope", "x"))).isNull();
    assertThat(limits.match("other-domain", entries("tenant", "other"))).isNull();
  }

  @Test
  void wildcardsMatchAnywhereInTheValue() throws ConfigException {
    EnvoyLimits limits = EnvoyConfigReader.read(files("shop.yaml", SHOP));
    assertThat(keyOf(limits.match("shop", entries("user", "bot-7")))).isEqualTo("shop.user_bot-*");
    assertThat(keyOf(limits.match("shop", entries("user", "bot-")))).isEqualTo("shop.user_bot-*");
    assertThat(limits.match("shop", entries("user", "bo"))).isNull();
    assertThat(keyOf(limits.match("shop", entries("path", "/v1/a/b/items")))).isEqualTo("shop.path_/v1/*/items*");
    assertThat(keyOf(limits.match("shop", entries("path", "/v1/x/items42")))).isEqualTo("shop.path_/v1/*/items*");
    assertThat(limits.match("shop", entries("path", "/v2/x/items"))).isNull();
    assertThat(DescriptorTree.wildcardMatches("a*b*c", "a-b-c")).isTrue();
    assertThat(DescriptorTree.wildcardMatches("a*b*c", "abc")).isTrue();
    assertThat(DescriptorTree.wildcardMatches("ab*bc", "abc")).isFalse();
    assertThat(DescriptorTree.wildcardMatches("a*b*c", "a-c-b")).isFalse();
  }

  @Test
  void rulesCarryTheirSettings() throws ConfigException {
    EnvoyLimits limits = EnvoyConfigReader.read(files("shop.yaml", SHOP));
    EnvoyRule gold = limits.match("shop", entries("plan", "gold"));
    assertThat(gold.unlimited()).isTrue();
    assertThat(gold.bucketed()).isFalse();
    assertThat(limits.match("shop", entries("canary", "c")).shadowMode()).isTrue();
    // A number as value reads as its text, as their Go reader does.
    EnvoyRule ten = limits.match("shop", entries("ip", "10"));
    assertThat(ten.name()).isEqualTo("ip-ten");
    assertThat(ten.replaces()).containsExactly("ip-any");
    assertThat(ten.unit()).isEqualTo(Unit.WEEK);
    assertThat(ten.limit().burst()).isEqualTo(3);
    assertThat(ten.limit().rate().intervalNanos()).isEqualTo(Duration.ofDays(7).toNanos() / 3);
    EnvoyRule any = limits.match("shop", entries("ip", "11"));
    assertThat(any.limit().burst()).isEqualTo(2);
    assertThat(any.limit().rate().intervalNanos()).isEqualTo(Duration.ofDays(365).toNanos() / 5);
    assertThat(any.adaptive()).isFalse();
    assertThat(limits.spec().tiers()).containsKeys("shop.tenant", "shop.tenant_acme.route_checkout", "shop.ip")
        .doesNotContainKey("shop.plan_gold");
  }

  @Test
  void everyProblemOfEveryFileHasItsLine() {
    Map<String, String> bad = files(
        "a.yaml", """
            domain: dup
            descriptors:
              - key: k
                rate_limit: {unit: fortnight, requests_per_unit: 1}
              - key: k
                rate_limit: {unit: second, requests_per_unit: 1}
              - key: ""
              - key: u
                rate_limit: {unlimited: true, unit: second}
              - key: r
                rate_limit:
                  unit: second
                  requests_per_unit: 1
                  name: me
                  replaces:
                    - name: me
                    - name:
              - key: m
                ratelimit: {unit: second}
              - key: neg
                rate_limit: {unit: second, requests_per_unit: -1}
              - key: fast
                rate_limit: {unit: second, requests_per_unit: 2000000000}
              - key: ad
                rate_limit: {unlimited: true, adaptive: true}
              - key: ae
                rate_limit: {unit: second, requests_per_unit: 1, adaptive: often}
            """,
        "b.yaml", """
            domain: dup
            """,
        "c.yaml", """
            descriptors: []
            """,
        "d.yaml", """
            domain: d
            descriptors:
              - just a string
            """,
        "e.yaml", "domain: [unclosed\n");
    assertThatThrownBy(() -> EnvoyConfigReader.read(bad))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          List<String> shown = e.problems().stream().map(ConfigProblem::toString).toList();
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("a.yaml:4:").contains("fortnight"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("a.yaml:5:")
              .contains("duplicate descriptor composite key 'dup.k'"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("a.yaml:7:").contains("key"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("a.yaml:9:")
              .contains("should not specify rate limit unit when unlimited"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("a.yaml:16:")
              .contains("replaces should not contain name of same descriptor"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("a.yaml:17:")
              .contains("should not have an empty replaces entry"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("a.yaml:19:").contains("ratelimit"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("a.yaml:21:").contains("requests_per_unit"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("a.yaml:23:")
              .contains("at most 1000000000 per second"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("a.yaml:25:")
              .contains("adaptive").contains("should not set adaptive when unlimited"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("a.yaml:27:").contains("adaptive"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("b.yaml:1:").contains("duplicate domain 'dup'"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("c.yaml:1:").contains("domain"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("d.yaml:3:").contains("just a string"));
          assertThat(shown).anySatisfy(p -> assertThat(p).startsWith("e.yaml:"));
        });
  }
}
