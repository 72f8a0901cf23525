package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.core.CostRule;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.Rate;
import dev.sluice.core.TierSpec;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Loading valid configs: the example file, defaults, and the public API's contract. */
class ConfigLoaderTest {

  private static final String MINIMAL = "tiers: {free: {per-client: {burst: 10, rate: 5}}}";

  @Test
  void loadsTheExampleFile() throws Exception {
    SluiceConfig config = ConfigLoader.load(Path.of("../examples/limiter.yaml"));

    assertThat(config.tiers()).containsOnlyKeys("premium", "sandbox");
    assertThat(config.tiers().keySet()).containsExactly("premium", "sandbox");
    assertThat(config.tiers().get("premium"))
        .isEqualTo(new TierConfig("premium", Limit.of(8000, 4000), 0.6, null));
    assertThat(config.tiers().get("sandbox"))
        .isEqualTo(new TierConfig("sandbox", Limit.of(2000, 1000), 0.4, null));
    assertThat(config.global())
        .isEqualTo(new GlobalConfig(Limit.of(20000, 10000), 1_000_000, Duration.ofMinutes(10)));
    assertThat(config.costs()).containsExactly(CostRule.of("POST", "/rate/llm/**", 3));
    assertThat(config.identity()).isEqualTo(new IdentityConfig("X-Client-ID", "X-API-Key", null,
        List.of("10.0.0.0/8", "::1/128"), Map.of("acme-analytics", "premium"), "sandbox"));
    assertThat(config.upstream())
        .isEqualTo(new UpstreamConfig(URI.create("http://127.0.0.1:8081"), Duration.ofSeconds(10),
            UpstreamConfig.DEFAULT_IDLE_TIMEOUT));
    assertThat(config.server()).isEqualTo(ServerConfig.DEFAULT);
    assertThat(config.store()).isEqualTo(StoreConfig.LOCAL);
    assertThat(config.adaptive().enabled()).isFalse();
    assertThat(config.summary()).isEqualTo("2 tiers (premium burst 8000 @ 4000/s, sandbox burst 2000 @ 1000/s),"
        + " global burst 20000 @ 10000/s, 1 cost rule, upstream http://127.0.0.1:8081, adaptive off");
  }

  @Test
  void aConfigWithOnlyATierGetsEveryDefault() throws Exception {
    SluiceConfig config = ConfigLoader.parse(MINIMAL, "minimal.yaml");

    assertThat(config.server()).isEqualTo(ServerConfig.DEFAULT);
    assertThat(config.upstream()).isEqualTo(UpstreamConfig.NONE);
    assertThat(config.identity()).isEqualTo(IdentityConfig.defaults("free"));
    assertThat(config.global()).isEqualTo(GlobalConfig.DEFAULT);
    assertThat(config.costs()).isEmpty();
    assertThat(config.store()).isEqualTo(StoreConfig.LOCAL);
    assertThat(config.adaptive()).isEqualTo(AdaptiveSettings.DEFAULTS);
    assertThat(config.tiers().get("free")).isEqualTo(new TierConfig("free", Limit.of(10, 5), null, null));
  }

  @Test
  void emptyAndNullSectionsMeanDefaults() throws Exception {
    SluiceConfig config = ConfigLoader.parse("""
        server:
        upstream: {}
        identity: ~
        global:
        costs:
        adaptive: {}
        """ + MINIMAL, "nulls.yaml");

    assertThat(config.server()).isEqualTo(ServerConfig.DEFAULT);
    assertThat(config.upstream()).isEqualTo(UpstreamConfig.NONE);
    assertThat(config.global()).isEqualTo(GlobalConfig.DEFAULT);
    assertThat(config.costs()).isEmpty();
  }

  @Test
  void readsEveryOptionalField() throws Exception {
    SluiceConfig config = ConfigLoader.parse("""
        server: {bind: 127.0.0.1, port: 0, admin-bind: 0.0.0.0, admin-port: 9191, admin-token: "s3cret",
          grpc-port: 8181}
        upstream: {url: "https://api.example.com:8443/v1", timeout: 250ms, idle-timeout: 55s}
        identity:
          client-header: X-Caller
          api-key-header: Authorization
          tier-header: X-Sluice-Tier
          trusted-proxies: [10.0.0.0/8, 192.168.1.7, "::1", "fd00::/8"]
          clients: {alice: gold, "bob.example": free}
          default-tier: free
        tiers:
          gold:
            per-client: {burst: 100, rate: 6000/min}
            aggregate: {burst: 1000, rate: 500/s}
          free:
            per-client: {burst: 5, rate: 1/s}
        global: {max-clients: 5000, idle-expiry: PT30M}
        costs:
          - {path: /export/*, cost: 4}
          - {method: get, path: /report/**, cost: 2}
        adaptive: {enabled: yes, shadow: true, interval: 2s}
        """, "full.yaml");

    assertThat(config.server()).isEqualTo(new ServerConfig("127.0.0.1", 0, "0.0.0.0", 9191, "s3cret", 8181));
    assertThat(config.upstream()).isEqualTo(
        new UpstreamConfig(URI.create("https://api.example.com:8443/v1"), Duration.ofMillis(250),
            Duration.ofSeconds(55)));
    assertThat(config.identity()).isEqualTo(new IdentityConfig("X-Caller", "Authorization", "X-Sluice-Tier",
        List.of("10.0.0.0/8", "192.168.1.7/32", "::1/128", "fd00::/8"),
        Map.of("alice", "gold", "bob.example", "free"), "free"));
    assertThat(config.tiers().keySet()).containsExactly("gold", "free");
    assertThat(config.tiers().get("gold").aggregate()).isEqualTo(Limit.of(1000, 500));
    assertThat(config.tiers().get("gold").perClient().rate()).isEqualByComparingTo(Rate.perSecond(100));
    assertThat(config.global()).isEqualTo(new GlobalConfig(null, 5000, Duration.ofMinutes(30)));
    assertThat(config.costs()).containsExactly(
        CostRule.of("*", "/export/*", 4), CostRule.of("GET", "/report/**", 2));
    AdaptiveSettings d = AdaptiveSettings.DEFAULTS;
    assertThat(config.adaptive()).isEqualTo(new AdaptiveSettings(true, true, Duration.ofSeconds(2), d.controllers(),
        d.latencyAimd(), d.errorBackoff(), d.gradient(), d.pi(), null, d.limits(), d.proportionalBurst(),
        d.minBurst()));
  }

  @Test
  void theLimiterSpecResolvesSharesIntoAggregates() throws Exception {
    LimiterSpec spec = ConfigLoader.load(Path.of("../examples/limiter.yaml")).limiterSpec();

    assertThat(spec.tiers().values()).containsExactly(
        new TierSpec("premium", Limit.of(8000, 4000), Limit.of(12000, 6000)),
        new TierSpec("sandbox", Limit.of(2000, 1000), Limit.of(8000, 4000)));
    assertThat(spec.defaultTier()).isEqualTo("sandbox");
    assertThat(spec.global()).isEqualTo(Limit.of(20000, 10000));
    assertThat(spec.costs().rules()).containsExactly(CostRule.of("POST", "/rate/llm/**", 3));
    assertThat(spec.maxClientsPerTier()).isEqualTo(1_000_000);
    assertThat(spec.idleExpiry()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void theDefaultTierIsTheFirstTierInTheFile() throws Exception {
    SluiceConfig config = ConfigLoader.parse("""
        tiers:
          zeta: {per-client: {burst: 1, rate: 1}}
          alpha: {per-client: {burst: 1, rate: 1}}
        """, "order.yaml");

    assertThat(config.identity().defaultTier()).isEqualTo("zeta");
    assertThat(config.tiers().keySet()).containsExactly("zeta", "alpha");
  }

  @Test
  void aMissingFileIsAnIoErrorNotAConfigProblem() {
    assertThatThrownBy(() -> ConfigLoader.load(Path.of("no/such/limiter.yaml")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void theExceptionMessageListsEveryProblemInLineOrder() {
    assertThatThrownBy(() -> ConfigLoader.parse("""
        tiers:
          a: {per-client: {burst: 0, rate: 1}}
        servre: {}
        """, "x.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.problems()).extracting(ConfigProblem::line).containsExactly(2, 3);
          assertThat(e.getMessage()).isEqualTo("""
              x.yaml:2: tiers.a.per-client.burst: 0 (expected: an integer >= 1)
              x.yaml:3: servre: unknown field (expected: one of server, upstream, identity, tiers, global, costs, adaptive, store, observability)""");
        });
  }

  @Test
  void aProblemPrintsAsFileLinePathMessage() {
    assertThat(new ConfigProblem("limiter.yaml", 12, "tiers.premium.per-client.rate", "-3 (expected: > 0)"))
        .hasToString("limiter.yaml:12: tiers.premium.per-client.rate: -3 (expected: > 0)");
    assertThat(new ConfigProblem("limiter.yaml", 3, "", "invalid YAML: mapping values are not allowed here"))
        .hasToString("limiter.yaml:3: invalid YAML: mapping values are not allowed here");
  }
}
