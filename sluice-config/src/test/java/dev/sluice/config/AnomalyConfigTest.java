package dev.sluice.config;

import static dev.sluice.config.Configs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.adaptive.flood.FloodSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code adaptive.anomaly} section: values are read, and each bad one is reported on its line. */
class AnomalyConfigTest {

  private static final String TIER = """
      tiers:
        free:
          per-client: {burst: 10, rate: 5/s}
          share: 0.5
        pro:
          per-client: {burst: 100, rate: 50/s}
      global: {burst: 2000, rate: 1000/s}
      """;

  @Test
  void absentSectionIsDisabled() throws ConfigException {
    FloodSettings s = ConfigLoader.parse(TIER, "x.yaml").adaptive().anomaly();
    assertThat(s).isEqualTo(FloodSettings.DEFAULTS);
    assertThat(s.enabled()).isFalse();
  }

  @Test
  void everyValueIsRead() throws ConfigException {
    FloodSettings s = ConfigLoader.parse(TIER + """
        adaptive:
          anomaly:
            enabled: true
            window: 2s
            baseline: 10m
            warmup: 30s
            threshold: 0.6
            clear: 0.1
            recovery: 2m
            probation: 10m
            by-prefix: true
            max-tracked: 65536
            heavy-hitter-share: 0.1
            newcomer-share: 0.25
            offender-burst: 0.5
            offender-cost: 4
            tiers:
              free: {newcomer-share: 0.1, offender-cost: 5}
            watch: {enabled: true, interval: 5, max-clients: 64, spike-sigma: 4.5, latch: 20}
        """, "x.yaml").adaptive().anomaly();
    assertThat(s.enabled()).isTrue();
    assertThat(s.window()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.baseline()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.warmup()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.threshold()).isEqualTo(0.6);
    assertThat(s.clear()).isEqualTo(0.1);
    assertThat(s.recovery()).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.probation()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.byPrefix()).isTrue();
    assertThat(s.maxTracked()).isEqualTo(65536);
    assertThat(s.heavyHitterShare()).isEqualTo(0.1);
    assertThat(s.response("pro")).isEqualTo(new FloodSettings.TierResponse(0.25, 0.5, 4));
    assertThat(s.response("free")).isEqualTo(new FloodSettings.TierResponse(0.1, 0.5, 5));
    assertThat(s.watch()).isEqualTo(new dev.sluice.adaptive.flood.WatchSettings(true, 5, 64, 4.5, 20));
  }

  @Test
  void badWatchValuesAreReportedOnTheirLines() {
    assertThat(problems(TIER + """
        adaptive:
          anomaly:
            watch:
              interval: 0
              max-clients: lots
              colour: red
        """)).containsExactlyInAnyOrder(
            "test.yaml:11: adaptive.anomaly.watch.interval: 0 (expected: an integer 1..3600)",
            "test.yaml:12: adaptive.anomaly.watch.max-clients: lots (expected: an integer 0..4096)",
            "test.yaml:13: adaptive.anomaly.watch.colour: unknown field (expected: one of " + String.join(", ",
                AnomalyReader.WATCH_KEYS) + ")");
    assertThat(problems(TIER + """
        adaptive:
          anomaly:
            watch: {spike-sigma: 0.5}
        """)).containsExactly("test.yaml:10: adaptive.anomaly.watch.spike-sigma: 0.5 (expected: >= 1 and <= 20)");
  }

  @Test
  void badValuesAreReportedOnTheirLines() {
    assertThat(problems(TIER + """
        adaptive:
          anomaly:
            enabled: maybe
            window: 5
            newcomer-share: 1.5
            offender-cost: 0
            shares: 3
            tiers:
              free: {offender-burst: 0}
        """)).containsExactlyInAnyOrder(
            "test.yaml:10: adaptive.anomaly.enabled: maybe (expected: true or false)",
            "test.yaml:11: adaptive.anomaly.window: 5 (expected: a duration with a unit, such as 250ms, 10s, 2m, 1h or PT10S)",
            "test.yaml:12: adaptive.anomaly.newcomer-share: 1.5 (expected: a number > 0 and <= 1)",
            "test.yaml:13: adaptive.anomaly.offender-cost: 0 (expected: an integer 1..1000)",
            "test.yaml:14: adaptive.anomaly.shares: unknown field (expected: one of " + String.join(", ",
                AnomalyReader.KEYS) + ")",
            "test.yaml:16: adaptive.anomaly.tiers.free.offender-burst: 0 (expected: a number > 0 and <= 1)");
  }

  @Test
  void crossFieldChecksNameTheirLine() {
    assertThat(problems(TIER + """
        adaptive:
          anomaly:
            threshold: 0.3
            clear: 0.4
        """)).containsExactly("test.yaml:11: adaptive.anomaly.clear: 0.4 (expected: >= 0 and < threshold 0.3)");
  }
}
