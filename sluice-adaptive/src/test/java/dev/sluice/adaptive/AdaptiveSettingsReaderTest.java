package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The adaptive section: seed defaults, overrides, and every problem reported with its path. */
class AdaptiveSettingsReaderTest {

  @Test
  void emptySectionGivesTheSeedNumbers() {
    AdaptiveSettings s = AdaptiveSettingsReader.read(null);
    assertThat(s).isEqualTo(AdaptiveSettings.DEFAULTS);
    assertThat(s.latencyAimd()).isEqualTo(new LatencyAimdController(Duration.ofSeconds(5), 150, 300, 1.2, 0.7, 2000, 200));
    assertThat(s.errorBackoff().window()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.limits().minRate()).isEqualTo(100);
    assertThat(s.limits().maxRate()).isEqualTo(2000);
  }

  @Test
  void overridesEveryKind() {
    AdaptiveSettings s = AdaptiveSettingsReader.read(Map.of(
        "shadow", true,
        "interval", "2s",
        "controllers", List.of("gradient", "pi", "static"),
        "latency-aimd", Map.of("low", "100ms", "high", 0.4e3, "max-rate", "5000/s"),
        "pi", Map.of("target", "0.25s", "kp", 0.1),
        "static", Map.of("rate", "750/s"),
        "limits", Map.of("max-rate", "20000", "demand-headroom", 0)));
    assertThat(s.shadow()).isTrue();
    assertThat(s.interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.enabledControllers()).extracting(RateController::name).containsExactly("gradient", "pi", "static");
    assertThat(s.latencyAimd().lowMillis()).isEqualTo(100);
    assertThat(s.latencyAimd().highMillis()).isEqualTo(400);
    assertThat(s.latencyAimd().maxRate()).isEqualTo(5000);
    assertThat(s.pi().targetMillis()).isEqualTo(250);
    assertThat(s.pi().kp()).isEqualTo(0.1);
    assertThat(s.staticRate().rate()).isEqualTo(750);
    assertThat(s.limits().maxRate()).isEqualTo(20000);
    assertThat(s.limits().demandHeadroom()).isZero();
  }

  @Test
  void reportsEveryProblemWithItsPath() {
    assertThatThrownBy(() -> AdaptiveSettingsReader.read(Map.of(
        "intervall", "5s",
        "latency-aimd", Map.of("increase", 0.5, "speed", 3),
        "error-backoff", Map.of("window", "soon"),
        "controllers", List.of("latency-aimd", "magic"),
        "limits", Map.of("max-rate", "fast"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("adaptive.intervall: unknown key")
        .hasMessageContaining("adaptive.latency-aimd.speed: unknown key")
        .hasMessageContaining("adaptive.latency-aimd.increase: 0.5 (expected: > 1.0 and <= 100.0)")
        .hasMessageContaining("adaptive.error-backoff.window: soon (expected: a duration")
        .hasMessageContaining("adaptive.limits.max-rate: fast (expected: a rate such as 2000/s)");
    assertThatThrownBy(() -> AdaptiveSettingsReader.read(Map.of("controllers", List.of("magic"))))
        .hasMessage("adaptive.controllers[0]: magic (expected: one of [latency-aimd, error-backoff, gradient, pi, static])");
    assertThatThrownBy(() -> AdaptiveSettingsReader.read(Map.of("controllers", List.of("static"))))
        .hasMessageStartingWith("adaptive.static.rate: missing");
  }
}
