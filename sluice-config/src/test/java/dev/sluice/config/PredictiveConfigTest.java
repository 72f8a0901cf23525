package dev.sluice.config;

import static dev.sluice.config.Configs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.adaptive.PredictiveSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code adaptive.predictive} section: read into {@link PredictiveSettings}; bad values on their lines. */
class PredictiveConfigTest {

  private static final String TIER = """
      tiers:
        premium:
          per-client: {burst: 100, rate: 50/s}
      global: {burst: 2000, rate: 1000/s}
      """;

  @Test
  void absentGivesTheDefaults() throws ConfigException {
    AdaptiveSettings s = ConfigLoader.parse(TIER + "adaptive: {enabled: true, controllers: [capacity, predictive]}\n",
        "x.yaml").adaptive();
    assertThat(s.controllers()).containsExactly("capacity", "predictive");
    assertThat(s.predictive()).isEqualTo(PredictiveSettings.DEFAULTS);
    assertThat(s.predictive().lifts()).isTrue();
    assertThat(s.predictive().budget()).isEqualTo(Duration.ofMillis(2));
  }

  @Test
  void everyKeyIsRead() throws ConfigException {
    AdaptiveSettings s = ConfigLoader.parse(TIER + """
        adaptive:
          enabled: true
          controllers: [capacity, predictive]
          predictive:
            period: 2s
            mode: cap
            forecaster: model
            headroom: 1.5
            budget: 5ms
            history: 600
            min-history: 60
            min-rate: 50/s
            max-rate: 3000/s
            models: /var/lib/sluice/models
            retrain: {every: 24h, logs: /var/log/sluice/requests.jsonl, days: 14}
            allocation: {tiers: false, floor: 0.25, ceiling: 2, heavy-clients: 8}
        """, "x.yaml").adaptive();
    assertThat(s.predictive()).isEqualTo(new PredictiveSettings(Duration.ofSeconds(2), "cap", "model", 1.5,
        Duration.ofMillis(5), 600, 60, 50, 3000, "/var/lib/sluice/models",
        new PredictiveSettings.Retrain(Duration.ofHours(24), "/var/log/sluice/requests.jsonl", 14),
        new PredictiveSettings.Allocation(false, 0.25, 2, 8)));
  }

  @Test
  void typeProblemsCarryTheirLines() {
    assertThat(problems(TIER + """
        adaptive:
          predictive:
            budget: 2
            history: many
            horizon: 3
        """)).containsExactly(
        "test.yaml:7: adaptive.predictive.budget: 2 (expected: a duration with a unit, such as 250ms, 10s,"
            + " 2m, 1h or PT10S)",
        "test.yaml:8: adaptive.predictive.history: many (expected: an integer 2..1000000)",
        "test.yaml:9: adaptive.predictive.horizon: unknown field (expected: one of period, mode, forecaster,"
            + " headroom, budget, history, min-history, min-rate, max-rate, models, retrain, allocation)");
  }

  @Test
  void rangeProblemsCarryTheirLines() {
    assertThat(problems(TIER + """
        adaptive:
          predictive:
            mode: boost
        """)).containsExactly("test.yaml:7: adaptive.predictive.mode: boost (expected: one of [lift, cap])");
    assertThat(problems(TIER + """
        adaptive:
          predictive:
            headroom: 0.8
        """)).containsExactly("test.yaml:7: adaptive.predictive.headroom: 0.8 (expected: >= 1.0 and <= 10.0)");
    assertThat(problems(TIER + """
        adaptive:
          predictive:
            forecaster: model
        """)).containsExactly("test.yaml:7: adaptive.predictive.forecaster: model (expected:"
            + " adaptive.predictive.models set to the model registry directory)");
    assertThat(problems(TIER + """
        adaptive:
          predictive:
            models: /tmp/models
            retrain: {every: 0s, logs: /tmp/log}
        """)).containsExactly("test.yaml:8: adaptive.predictive.retrain.every: 0s (expected: > 0)");
    assertThat(problems(TIER + """
        adaptive:
          predictive:
            allocation: {floor: 1.5}
        """)).containsExactly("test.yaml:7: adaptive.predictive.allocation.floor: 1.5 (expected: >= 0.0 and <= 1.0)");
    assertThat(problems(TIER + """
        adaptive:
          predictive:
            allocation: {heavy-clients: 5000, share: 1}
        """)).containsExactly(
        "test.yaml:7: adaptive.predictive.allocation.share: unknown field (expected: one of tiers, floor, ceiling,"
            + " heavy-clients)",
        "test.yaml:7: adaptive.predictive.allocation.heavy-clients: 5000 (expected: an integer 0..1024)");
  }
}
