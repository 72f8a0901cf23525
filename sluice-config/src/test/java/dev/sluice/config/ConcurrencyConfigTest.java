package dev.sluice.config;

import static dev.sluice.config.Configs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.LimiterSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code global.concurrency}, {@code global.permit-timeout} and {@code tiers.<t>.concurrency}. */
class ConcurrencyConfigTest {

  @Test
  void absentMeansNoConcurrencyLevelAndTheDefaultTimeout() throws ConfigException {
    SluiceConfig config = ConfigLoader.parse(Configs.withTier(""), "x.yaml");
    assertThat(config.global().concurrency()).isZero();
    assertThat(config.tiers().get("t").concurrency()).isZero();
    LimiterSpec spec = config.limiterSpec();
    assertThat(spec.hasConcurrency()).isFalse();
    assertThat(spec.permitTimeout()).isEqualTo(LimiterSpec.DEFAULT_PERMIT_TIMEOUT);
  }

  @Test
  void levelsAndTimeoutAreReadAndMappedIntoTheSpec() throws ConfigException {
    SluiceConfig config = ConfigLoader.parse("""
        tiers:
          premium:
            per-client: {burst: 100, rate: 50/s}
            concurrency: 40
          free:
            per-client: {burst: 10, rate: 5/s}
        global:
          concurrency: 64
          permit-timeout: 30s
        """, "x.yaml");
    assertThat(config.global().concurrency()).isEqualTo(64);
    assertThat(config.global().permitTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.tiers().get("premium").concurrency()).isEqualTo(40);
    assertThat(config.tiers().get("free").concurrency()).isZero();
    LimiterSpec spec = config.limiterSpec();
    assertThat(spec.concurrency()).isEqualTo(64);
    assertThat(spec.permitTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(spec.tiers().get("premium").concurrency()).isEqualTo(40);
    assertThat(spec.tiers().get("free").concurrency()).isZero();
    assertThat(spec.global()).isNull(); // a concurrency level needs no token level
  }

  @Test
  void badValuesAreReportedOnTheirLines() {
    assertThat(problems("""
        tiers:
          a:
            per-client: {burst: 10, rate: 5/s}
            concurrency: 0
          b:
            per-client: {burst: 10, rate: 5/s}
            concurrency: 2.5
          c:
            per-client: {burst: 10, rate: 5/s}
            concurrency: lots
        global:
          concurrency: -4
          permit-timeout: 0s
        """)).containsExactly(
        "test.yaml:4: tiers.a.concurrency: 0 (expected: an integer >= 1)",
        "test.yaml:7: tiers.b.concurrency: 2.5 (expected: an integer >= 1)",
        "test.yaml:10: tiers.c.concurrency: lots (expected: an integer >= 1)",
        "test.yaml:12: global.concurrency: -4 (expected: an integer >= 1)",
        "test.yaml:13: global.permit-timeout: 0s (expected: > 0)");
    assertThat(problems(Configs.withTier("global: {permit-timeout: 30}\n"))).containsExactly(
        "test.yaml:4: global.permit-timeout: 30"
            + " (expected: a duration with a unit, such as 250ms, 10s, 2m, 1h or PT10S)");
  }

  @Test
  void aCostAboveTheGlobalConcurrencyIsReportedOnTheRuleLine() {
    assertThat(problems(Configs.withTier("global: {concurrency: 8}\ncosts: [{path: /a, cost: 9}]\n")))
        .containsExactly("test.yaml:5: costs[0].cost: 9"
            + " (expected: <= 8, global.concurrency; a higher cost is never admitted)");
  }

  @Test
  void concurrencyLevelsNeedTheLocalStore() {
    String expected = " (expected: no concurrency level with store.type: redis; concurrency levels need the"
        + " local store, the Redis store does not enforce them)";
    assertThat(problems("""
        tiers:
          a:
            per-client: {burst: 10, rate: 5/s}
            concurrency: 5
          b:
            per-client: {burst: 10, rate: 5/s}
        global:
          concurrency: 20
        store:
          type: redis
          redis: {uri: "redis://127.0.0.1:6379"}
        """)).containsExactly(
        "test.yaml:4: tiers.a.concurrency: 5" + expected,
        "test.yaml:8: global.concurrency: 20" + expected);
  }

  @Test
  void aPermitTimeoutAloneIsFineWithRedis() throws ConfigException {
    SluiceConfig config = ConfigLoader.parse(Configs.withTier("""
        global: {permit-timeout: 5s}
        store: {type: redis, redis: {uri: "redis://127.0.0.1:6379"}}
        """), "x.yaml");
    assertThat(config.limiterSpec().permitTimeout()).isEqualTo(Duration.ofSeconds(5));
  }
}
