package dev.sluice.config;

import static dev.sluice.config.Configs.badFile;
import static dev.sluice.config.Configs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.adaptive.CapacityController;
import dev.sluice.adaptive.Composition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code adaptive} section: controller parameters are read, and each bad one is reported on its line. */
class AdaptiveConfigTest {

  private static final String TIER = """
      tiers:
        premium:
          per-client: {burst: 100, rate: 50/s}
      global: {burst: 2000, rate: 1000/s}
      """;

  @Test
  void absentSectionGivesDisabledDefaults() throws ConfigException {
    AdaptiveSettings s = ConfigLoader.parse(TIER, "x.yaml").adaptive();
    assertThat(s.enabled()).isFalse();
    assertThat(s.shadow()).isFalse();
    assertThat(s.interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.controllers()).isEqualTo(AdaptiveSettings.DEFAULTS.controllers()).containsExactly("capacity");
    assertThat(s.latencyAimd()).isEqualTo(AdaptiveSettings.DEFAULTS.latencyAimd());
  }

  @Test
  void controllerParametersAreRead() throws ConfigException {
    SluiceConfig config = ConfigLoader.parse(TIER + """
        adaptive:
          enabled: true
          shadow: true
          interval: 2s
          controllers: [latency-aimd, pi, static]
          latency-aimd: {period: 4s, low: 100ms, high: 250ms, increase: 1.5, decrease: 0.5, max-rate: 3000/s,
                         min-rate: 10/s}
          pi: {target: 180ms, kp: 0.3}
          static: {rate: 6000/min}
          capacity: {gain: 1.5, target: 0.2, drain-time: 3s, floor: 8, probe: 5s, rtt-window: 20s, probe-gain: 3}
          limits: {min-rate: 5/s, max-rate: 4000/s, warmup: 2s, ramp-up-per-second: 0.1, spike-delay: 2}
          burst: fixed
          min-burst: 4
        """, "x.yaml");
    AdaptiveSettings s = config.adaptive();
    assertThat(s.enabled()).isTrue();
    assertThat(s.shadow()).isTrue();
    assertThat(s.interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.controllers()).containsExactly("latency-aimd", "pi", "static");
    assertThat(s.latencyAimd().period()).isEqualTo(Duration.ofSeconds(4));
    assertThat(s.latencyAimd().lowMillis()).isEqualTo(100.0);
    assertThat(s.latencyAimd().highMillis()).isEqualTo(250.0);
    assertThat(s.latencyAimd().increase()).isEqualTo(1.5);
    assertThat(s.latencyAimd().maxRate()).isEqualTo(3000.0);
    assertThat(s.pi().targetMillis()).isEqualTo(180.0);
    assertThat(s.pi().kp()).isEqualTo(0.3);
    assertThat(s.staticRate().rate()).isEqualTo(100.0);
    assertThat(s.limits().warmup()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.limits().rampUp()).isEqualTo(0.1);
    assertThat(s.limits().rampDown()).isEqualTo(Composition.DEFAULTS.rampDown());
    assertThat(s.limits().spikeDelay()).isEqualTo(2.0);
    assertThat(s.capacity()).isEqualTo(new CapacityController(Duration.ofSeconds(1), 1.5, 0.2, Duration.ofSeconds(3),
        0.5, 8, 20, Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(5), 3));
    assertThat(s.proportionalBurst()).isFalse();
    assertThat(s.minBurst()).isEqualTo(4);
  }

  @Test
  void badParametersAreReportedOnTheirLines() {
    assertThat(badFile("adaptive.yaml")).containsExactlyInAnyOrder(
        "adaptive.yaml:14: adaptive.latency-aimd.decrease: \"0.7\" (expected: a number)",
        "adaptive.yaml:16: adaptive.error-backoff.windw: unknown field"
            + " (expected: one of period, window, threshold, factor, min-rate, min-responses)",
        "adaptive.yaml:18: adaptive.gradient.period: 5"
            + " (expected: a duration with a unit, such as 250ms, 10s, 2m, 1h or PT10S)",
        "adaptive.yaml:19: adaptive.pi: a list (expected: a mapping with period, target, kp, ki, max-step)",
        "adaptive.yaml:23: adaptive.burst: sometimes (expected: proportional or fixed)",
        "adaptive.yaml:24: adaptive.min-burst: 0 (expected: an integer >= 1)");
  }

  @Test
  void rangeAndCrossFieldProblemsCarryTheLineOfTheValue() {
    // A controller's record reports its first problem only; a pair names the line of its second value.
    assertThat(badFile("adaptive-ranges.yaml")).containsExactly(
        "adaptive-ranges.yaml:13: adaptive.latency-aimd.low/high: low 400.0 and high 300.0"
            + " (expected: low < high)",
        "adaptive-ranges.yaml:14: adaptive.error-backoff.threshold: 2.0 (expected: > 0.0 and < 1.0)",
        "adaptive-ranges.yaml:17: adaptive.limits.min-rate/max-rate: min-rate 500.0 and max-rate 100.0"
            + " (expected: min-rate <= max-rate)");
  }

  @Test
  void unknownControllerNameIsReportedOnItsListItem() {
    assertThat(problems(TIER + """
        adaptive:
          controllers:
            - latency-aimd
            - fuzzy
        """)).containsExactly(
        "test.yaml:8: adaptive.controllers[1]: fuzzy (expected: one of"
            + " [latency-aimd, error-backoff, gradient, pi, static, capacity, predictive])");
  }

  @Test
  void theExampleFilesCommentedParametersAreValidAndTheDefaults() throws Exception {
    StringBuilder yaml = new StringBuilder();
    boolean inAdaptive = false;
    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("../examples/limiter.yaml"))) {
      inAdaptive = line.startsWith("adaptive:") || inAdaptive && !line.matches("[a-z].*");
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("  # (\\s*)([a-z-]+:.*)").matcher(line);
      yaml.append(inAdaptive && m.matches() ? "  " + m.group(1) + m.group(2) : line).append('\n');
    }
    AdaptiveSettings s = ConfigLoader.parse(yaml.toString(), "limiter.yaml").adaptive();
    AdaptiveSettings d = AdaptiveSettings.DEFAULTS;
    assertThat(s.controllers()).isEqualTo(d.controllers());
    assertThat(List.of(s.latencyAimd(), s.errorBackoff(), s.gradient(), s.pi(), s.capacity(), s.limits()))
        .isEqualTo(List.of(d.latencyAimd(), d.errorBackoff(), d.gradient(), d.pi(), d.capacity(), d.limits()));
    assertThat(s.interval()).isEqualTo(d.interval());
    assertThat(s.staticRate().rate()).isEqualTo(750.0);
    assertThat(s.proportionalBurst()).isEqualTo(d.proportionalBurst());
    assertThat(s.minBurst()).isEqualTo(d.minBurst());
  }

  @Test
  void enabledLoopNeedsALevelToMove() {
    assertThat(problems("""
        tiers:
          free:
            per-client: {burst: 10, rate: 5/s}
        adaptive:
          enabled: true
        """)).containsExactly(
        "test.yaml:5: adaptive.enabled: true (expected: a global limit or a tier aggregate for the control loop"
            + " to move)");
  }

  @Test
  void oneDefaultTheDocumentedOne() throws Exception {
    // docs/config.md documents `enabled: false`; the settings' defaults, the only copy, agree with it.
    assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("../docs/config.md")))
        .contains("| `enabled` | boolean | `false` |");
    assertThat(AdaptiveSettings.DEFAULTS.enabled()).isFalse();
    assertThat(ConfigLoader.parse(TIER + "adaptive: {}\n", "x.yaml").adaptive())
        .isEqualTo(AdaptiveSettings.DEFAULTS);
    assertThat(ConfigLoader.parse(TIER, "x.yaml").adaptive()).isEqualTo(AdaptiveSettings.DEFAULTS);
  }

  @Test
  void everyKindOfValueIsReadOnce() throws ConfigException {
    AdaptiveSettings s = ConfigLoader.parse(TIER + """
        adaptive:
          controllers: [gradient, pi, static]
          latency-aimd: {low: 100ms, high: 0.4s, max-rate: 5000/s}
          error-backoff: {period: 3m, window: 2m, min-responses: 5}
          gradient: {min-rtt-window: PT45S, headroom: 0}
          pi: {target: 0.25s, kp: 0.1}
          static: {rate: 750}
          limits: {max-rate: 20000, demand-headroom: 0, warmup: PT30S, spike-timeouts: 0}
        """, "x.yaml").adaptive();
    assertThat(s.enabledControllers()).extracting(c -> c.name()).containsExactly("gradient", "pi", "static");
    assertThat(s.latencyAimd().lowMillis()).isEqualTo(100);
    assertThat(s.latencyAimd().highMillis()).isEqualTo(400);
    assertThat(s.latencyAimd().maxRate()).isEqualTo(5000);
    assertThat(s.errorBackoff().window()).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.errorBackoff().minResponses()).isEqualTo(5);
    assertThat(s.gradient().minRttWindow()).isEqualTo(Duration.ofSeconds(45));
    assertThat(s.pi().targetMillis()).isEqualTo(250);
    assertThat(s.staticRate().rate()).isEqualTo(750);
    assertThat(s.staticRate().period()).isEqualTo(s.interval());
    assertThat(s.limits().maxRate()).isEqualTo(20000);
    assertThat(s.limits().demandHeadroom()).isZero();
    assertThat(s.limits().warmup()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.limits().spikeTimeouts()).isZero();
  }

  @Test
  void everyTypeProblemIsReportedOnItsLine() {
    assertThat(problems(TIER + """
        adaptive:
          intervall: 5s
          latency-aimd:
            speed: 3
            low: fast
          error-backoff: {window: soon}
          limits:
            max-rate: fast
          controllers: latency-aimd
        """)).containsExactly(
        "test.yaml:6: adaptive.intervall: unknown field (expected: one of "
            + String.join(", ", AdaptiveReader.KEYS) + ")",
        "test.yaml:8: adaptive.latency-aimd.speed: unknown field"
            + " (expected: one of period, low, high, increase, decrease, max-rate, min-rate)",
        "test.yaml:9: adaptive.latency-aimd.low: fast (expected: a duration such as 250ms, 10s, 2m, 1h or PT10S)",
        "test.yaml:10: adaptive.error-backoff.window: soon"
            + " (expected: a duration such as 250ms, 10s, 2m, 1h or PT10S)",
        "test.yaml:12: adaptive.limits.max-rate: 'fast' (expected: a number, optionally /s, /min, /h, /d or /ms)",
        "test.yaml:13: adaptive.controllers: latency-aimd (expected: a list such as [capacity, error-backoff])");
  }

  @Test
  void aMissingStaticRateIsReportedWhereTheStaticSectionIsOrWouldBe() {
    assertThat(problems(TIER + """
        adaptive:
          controllers: [static]
        """)).containsExactly("test.yaml:5: adaptive.static.rate: missing (expected: a rate, as the static"
            + " controller is enabled)");
    assertThat(problems(TIER + """
        adaptive:
          controllers: [static]
          static: {}
        """)).containsExactly("test.yaml:7: adaptive.static.rate: missing (expected: a rate, as the static"
            + " controller is enabled)");
  }

  @Test
  void capacityAndRampProblemsCarryTheirLines() {
    assertThat(problems(TIER + """
        adaptive:
          capacity:
            gain: 3
          error-backoff: {window: 60s}
          limits:
            ramp-up: 0.2
            warmup: 0s
        """)).containsExactly(
        "test.yaml:10: adaptive.limits.ramp-up: unknown field (expected: one of min-rate, max-rate,"
            + " ramp-up-per-second, ramp-down-per-second, warmup, warmup-ramp-up-per-second, demand-headroom,"
            + " spike-delay, spike-timeouts)",
        "test.yaml:11: adaptive.limits.warmup: 0s (expected: > 0)");
    assertThat(problems(TIER + """
        adaptive:
          capacity:
            gain: 3
          error-backoff: {window: 60s}
        """)).containsExactly(
        "test.yaml:7: adaptive.capacity.gain: 3.0 (expected: >= 1.0 and <= 2.0)",
        "test.yaml:8: adaptive.error-backoff.window: PT1M (expected: <= period PT10S, so errors are not"
            + " remembered past the next run)");
  }
}
