package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Table-driven tests of every controller: numbers in, numbers out. */
class ControllersTest {

  private static final double ABSTAIN = RateController.ABSTAIN;

  @ParameterizedTest(name = "aimd: rate {0}, p95 {1} ms -> {2}")
  @CsvSource({
      "1000, 100, 1200",   // fast: x1.2
      "1000, 149.9, 1200",
      "1800, 100, 2000",   // capped at 2000
      "2000, 100, 2000",
      "1000, 150, 1000",   // between thresholds: hold
      "1000, 300, 1000",
      "1000, 301, 700",    // slow: x0.7
      "250, 400, 200",     // floored at 200
      "150, 400, 200",     // below the floor: the floor
  })
  void latencyAimd(double rate, double p95, double expected) {
    Signals s = Signals.ofLatency(p95 / 2, p95, p95 * 2, 100, 0);
    assertThat(LatencyAimdController.DEFAULTS.propose(rate, s, 0)).isCloseTo(expected, within(1e-9));
  }

  @Test
  void latencyAimdAbstainsWithoutResponses() {
    Signals s = Signals.ofLatency(Double.NaN, Double.NaN, Double.NaN, 0, 0);
    assertThat(LatencyAimdController.DEFAULTS.propose(1000, s, 0)).isEqualTo(ABSTAIN);
  }

  @ParameterizedTest(name = "errors: rate {0}, ratio {1}, window {2} -> {3}")
  @CsvSource({
      "1000, 0.06, 1000, 500",      // above 5 %: halve
      "1000, 0.05, 1000, Infinity", // at the threshold: no opinion
      "1000, 0.00, 1000, Infinity",
      "150, 0.50, 1000, 100",       // floored at 100
      "80, 0.50, 1000, 100",
      "1000, 0.50, 19, Infinity",   // too few responses to judge
      "1000, 0.50, 20, 500",
  })
  void errorBackoff(double rate, double ratio, long window, double expected) {
    Signals s = Signals.ofLatency(10, 20, 30, window, ratio);
    assertThat(ErrorBackoffController.DEFAULTS.propose(rate, s, 0)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "gradient: minRTT {0}, sample {1} -> {2}")
  @CsvSource({
      "100, 125, 1.0",
      "100, 100, 1.25",
      "100, 50, 2.0",    // clamped at 2
      "100, 500, 0.5",   // clamped at 0.5
      "100, 200, 0.625",
  })
  void gradientValue(double minRtt, double sample, double expected) {
    assertThat(GradientController.DEFAULTS.gradient(minRtt, sample)).isCloseTo(expected, within(1e-12));
  }

  @ParameterizedTest(name = "gradient: rate {0}, p50 {1}, minRTT {2} -> {3}")
  @CsvSource({
      "1000, 100, 100, 1125",  // 0.5 * 1000 + 0.5 * 1250
      "1000, 125, 100, 1000",  // at the buffer: hold
      "1000, 250, 100, 750",   // 0.5 * 1000 + 0.5 * 500
      "1000, 1000, 100, 750",  // gradient clamped at 0.5
  })
  void gradient(double rate, double p50, double minRtt, double expected) {
    Signals s = Signals.ofLatency(p50, p50 * 2, p50 * 3, 100, 0).withHistory(Double.NaN, minRtt);
    assertThat(GradientController.DEFAULTS.propose(rate, s, 0)).isCloseTo(expected, within(1e-9));
  }

  @Test
  void gradientAbstainsWithoutMinRtt() {
    Signals s = Signals.ofLatency(100, 200, 300, 100, 0).withHistory(Double.NaN, Double.NaN);
    assertThat(GradientController.DEFAULTS.propose(1000, s, 0)).isEqualTo(ABSTAIN);
  }

  @ParameterizedTest(name = "pi: rate {0}, p95 {1}, previous {2} -> {3}")
  @CsvSource({
      // e = (200 - p95) / 200 clamped to [-1, 1]; factor = 1 + 0.4 (e - ePrev) + 0.25 e
      "1000, 200, 200, 1000",     // on target: hold
      "1000, 100, 100, 1125",     // e = 0.5 steady: 1 + 0.125
      "1000, 100, 200, 1325",     // e = 0.5, ePrev = 0: 1 + 0.2 + 0.125
      "1000, 300, 300, 875",      // e = -0.5 steady
      "1000, 300, 200, 675",      // e = -0.5, ePrev = 0: 1 - 0.2 - 0.125
      "1000, 5000, 200, 500",     // e clamped to -1: 1 - 0.4 - 0.25 = 0.35, step floored at 0.5
      "1000, 0, 5000, 1500",      // e = 1, ePrev = -1: 1 + 0.8 + 0.25, step capped at 1.5
  })
  void pi(double rate, double p95, double previous, double expected) {
    Signals s = Signals.ofLatency(p95 / 2, p95, p95 * 2, 100, 0).withHistory(previous, 1);
    assertThat(PiController.DEFAULTS.propose(rate, s, 0)).isCloseTo(expected, within(1e-9));
  }

  @Test
  void piWithoutPreviousHasNoProportionalKick() {
    Signals s = Signals.ofLatency(50, 100, 200, 100, 0);
    assertThat(PiController.DEFAULTS.propose(1000, s, 0)).isCloseTo(1125, within(1e-9));
  }

  @Test
  void staticAlwaysProposesItsRate() {
    assertThat(StaticController.of(750).propose(2000, Signals.ofLatency(1, 2, 3, 1, 0.9), 0)).isEqualTo(750);
  }

  @Test
  void invalidParametersAreRejectedWithTheirPath() {
    assertThatThrownBy(() -> new LatencyAimdController(Duration.ofSeconds(5), 150, 300, 0.9, 0.7, 2000, 200))
        .hasMessage("adaptive.latency-aimd.increase: 0.9 (expected: > 1.0 and <= 100.0)");
    assertThatThrownBy(() -> new LatencyAimdController(Duration.ofSeconds(5), 300, 150, 1.2, 0.7, 2000, 200))
        .hasMessageStartingWith("adaptive.latency-aimd.low/high");
    assertThatThrownBy(() -> new ErrorBackoffController(Duration.ofSeconds(10), Duration.ZERO, 0.05, 0.5, 100, 20))
        .hasMessageStartingWith("adaptive.error-backoff.window: PT0S");
    assertThatThrownBy(() -> new GradientController(Duration.ofSeconds(5), 0.25, 0, 0, Duration.ofSeconds(60)))
        .hasMessageStartingWith("adaptive.gradient.smoothing: 0.0");
    assertThatThrownBy(() -> new PiController(Duration.ofSeconds(5), -1, 0.4, 0.25, 0.5))
        .hasMessageStartingWith("adaptive.pi.target: -1.0");
    assertThatThrownBy(() -> StaticController.of(0)).hasMessageStartingWith("adaptive.static.rate: 0.0");
  }
}
