package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.core.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The predictive controller: its target as a table, warm-up, fallbacks on the manual clock, errors, lift. */
class PredictiveControllerTest {

  private static final double A = RateController.ABSTAIN;
  private static final PredictiveSettings CAP = PredictiveSettings.DEFAULTS.withMode("cap");

  /** A model that forecasts the last value, with an upper bound 10 % above it; it records what it saw. */
  private static final class LastValue implements DemandForecaster {
    final List<double[]> seen = new ArrayList<>();

    @Override
    public Forecast forecast(double[] history, double stepSeconds) {
      seen.add(history.clone());
      double last = history[history.length - 1];
      return new Forecast(last, last * 1.1);
    }

    @Override
    public String version() {
      return "test:last";
    }
  }

  /** Signals of one 1 s interval whose demand is {@code demand} tokens, all in tier {@code t}. */
  private static Signals demand(long demand) {
    return new Signals(0, 1_000_000_000L, demand, 0, demand, demand, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, Double.NaN, 0, 0, Map.of(), Map.of("t", demand), 0, 0, 0, Double.NaN, Double.NaN, 1);
  }

  @ParameterizedTest(name = "point {0}, upper {1}, headroom {2}, caps [{3}, {4}] -> {5}")
  @CsvSource({
      "100, 120, 1.2, 0, Infinity, 144",     // upper x headroom
      "100, NaN, 1.2, 0, Infinity, 120",     // no interval: the point x headroom
      "100, 90, 1.0, 0, Infinity, 100",      // an upper below the point is raised to it
      "100, 120, 1.2, 0, 130, 130",          // max-rate
      "10, 12, 1.5, 50, 1000, 50",           // min-rate
      "-5, -1, 1.2, 0, Infinity, 0",         // a negative forecast is no demand
  })
  void targets(double point, double upper, double headroom, double min, double max, double expected) {
    PredictiveSettings s = new PredictiveSettings(Duration.ofSeconds(1), "cap", "holt", headroom, Duration.ofMillis(2),
        300, 30, min, max);
    assertThat(PredictiveController.target(new DemandForecaster.Forecast(point, upper), s))
        .isCloseTo(expected, within(1e-9));
  }

  @Test
  void abstainsUntilMinHistoryThenProposesInCapMode() {
    LastValue model = new LastValue();
    PredictiveController c = new PredictiveController(CAP, model, new ManualClock()::nanoTime);
    for (int i = 1; i < 30; i++) {
      assertThat(c.propose(500, demand(100), 0)).isEqualTo(A);
    }
    assertThat(model.seen).isEmpty();
    assertThat(c.propose(500, demand(100), 0)).isCloseTo(100 * 1.1 * 1.2, within(1e-9));
    assertThat(c.fallbacks()).isZero();
    assertThat(c.outlook().version()).isEqualTo("test:last");
  }

  @Test
  void liftModeAbstainsAndExposesTheTarget() {
    PredictiveController c = new PredictiveController(PredictiveSettings.DEFAULTS, new LastValue(),
        new ManualClock()::nanoTime);
    double p = A;
    for (int i = 0; i < 30; i++) {
      p = c.propose(500, demand(200), 0);
    }
    assertThat(p).isEqualTo(A);
    assertThat(c.lift()).isCloseTo(200 * 1.1 * 1.2, within(1e-9));
  }

  @Test
  void theModelSeesOnlyClosedWindowsOldestFirst() {
    LastValue model = new LastValue();
    PredictiveSettings s = new PredictiveSettings(Duration.ofSeconds(1), "cap", "holt", 1.2, Duration.ofMillis(2), 40,
        30, 0, Double.POSITIVE_INFINITY);
    PredictiveController c = new PredictiveController(s, model, new ManualClock()::nanoTime);
    for (int i = 1; i <= 45; i++) {
      c.propose(500, demand(i), 0);
    }
    // run 30 saw windows 1..30; run 45 the last 40 (6..45): never a window that had not closed
    assertThat(model.seen.getFirst()).hasSize(30).startsWith(1.0).endsWith(30.0);
    assertThat(model.seen.getLast()).hasSize(40).startsWith(6.0).endsWith(45.0);
  }

  @Test
  void fallsBackOnASlowModelOnTheManualClock() {
    ManualClock clock = new ManualClock(Long.MAX_VALUE - 1_000_000_000_000L);
    DemandForecaster slow = new DemandForecaster() {
      @Override
      public Forecast forecast(double[] history, double stepSeconds) {
        clock.advance(Duration.ofMillis(3)); // "sleeps" past the 2 ms budget
        return new Forecast(1000, 1200);
      }

      @Override
      public String version() {
        return "test:slow";
      }
    };
    PredictiveController c = new PredictiveController(CAP, slow, clock::nanoTime);
    for (int i = 0; i < 35; i++) {
      assertThat(c.propose(500, demand(100), 0)).isEqualTo(A);
    }
    assertThat(c.fallbacks()).isEqualTo(6);
    assertThat(c.lastFallback()).startsWith("timeout");
    assertThat(c.outlook()).isNull();
    assertThat(c.lift()).isNaN();
  }

  @Test
  void fallsBackPerTierOnASlowModelOnTheManualClock() {
    ManualClock clock = new ManualClock(Long.MAX_VALUE - 1_000_000_000_000L);
    DemandForecaster slowForB = new DemandForecaster() {
      @Override
      public Forecast forecast(double[] history, double stepSeconds) {
        if (history[history.length - 1] == 30) { // tier b's history: sleeps past the 2 ms budget
          clock.advance(Duration.ofMillis(3));
        }
        return new Forecast(history[history.length - 1], Double.NaN);
      }

      @Override
      public String version() {
        return "test:slow-for-b";
      }
    };
    PredictiveController c = new PredictiveController(CAP, slowForB, clock::nanoTime);
    Signals two = new Signals(0, 1_000_000_000L, 100, 0, 100, 100, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, Double.NaN, 0, 0, Map.of(), Map.of("a", 70L, "b", 30L), 0, 0, 0, Double.NaN, Double.NaN, 1);
    for (int i = 0; i < 29; i++) {
      c.propose(500, two, 0);
      assertThat(c.tierTargets()).isEmpty(); // warming up
    }
    for (int i = 0; i < 6; i++) {
      assertThat(c.propose(500, two, 0)).isCloseTo(100 * 1.2, within(1e-9)); // the global forecast is in time
    }
    assertThat(c.fallbacks()).isEqualTo(6); // tier b, once per run
    assertThat(c.lastFallback()).startsWith("timeout");
    assertThat(c.tierTargets()).containsEntry("a", 70 * 1.2);
    assertThat(c.tierTargets().get("b")).isNaN(); // the loop gives b its configured share
  }

  @Test
  void aModelWithinItsBudgetIsUsed() {
    ManualClock clock = new ManualClock();
    DemandForecaster quick = new DemandForecaster() {
      @Override
      public Forecast forecast(double[] history, double stepSeconds) {
        clock.advance(Duration.ofMillis(2)); // exactly the budget
        return new Forecast(1000, 1200);
      }

      @Override
      public String version() {
        return "test:quick";
      }
    };
    PredictiveController c = new PredictiveController(CAP, quick, clock::nanoTime);
    double p = A;
    for (int i = 0; i < 30; i++) {
      p = c.propose(500, demand(100), 0);
    }
    assertThat(p).isCloseTo(1440, within(1e-9));
    assertThat(c.fallbacks()).isZero();
  }

  @Test
  void fallsBackOnErrorsNonFiniteForecastsAndAMissingModel() {
    DemandForecaster failing = new DemandForecaster() {
      int calls;

      @Override
      public Forecast forecast(double[] history, double stepSeconds) {
        if (calls++ % 2 == 0) {
          throw new IllegalStateException("boom");
        }
        return new Forecast(Double.NaN, Double.NaN);
      }

      @Override
      public String version() {
        return "test:failing";
      }
    };
    PredictiveController c = new PredictiveController(CAP, failing, new ManualClock()::nanoTime);
    PredictiveController none = new PredictiveController(CAP, null, new ManualClock()::nanoTime);
    for (int i = 0; i < 31; i++) {
      assertThat(c.propose(500, demand(100), 0)).isEqualTo(A);
      assertThat(none.propose(500, demand(100), 0)).isEqualTo(A);
    }
    assertThat(c.fallbacks()).isEqualTo(2);
    assertThat(none.fallbacks()).isEqualTo(2);
    assertThat(none.lastFallback()).isEqualTo("missing model");
    assertThat(none.modelVersion()).isNull();
  }

  @Test
  void reportsPredictedMinusActualWhenTheWindowCloses() {
    List<Double> errors = new ArrayList<>();
    PredictiveController c = new PredictiveController(CAP, new LastValue(), new ManualClock()::nanoTime);
    c.onPredictionError(errors::add);
    for (int i = 0; i < 30; i++) {
      c.propose(500, demand(100), 0);
    }
    assertThat(errors).isEmpty(); // the first forecast's window has not closed yet
    c.propose(500, demand(130), 0);
    c.propose(500, demand(120), 0);
    assertThat(errors).containsExactly(100 - 130.0, 130 - 120.0);
  }

  @Test
  void forecastsATierFromItsOwnHistory() {
    PredictiveController c = new PredictiveController(CAP, new LastValue(), new ManualClock()::nanoTime);
    assertThat(c.forecastTier("t")).isNull();
    for (int i = 0; i < 30; i++) {
      c.propose(500, demand(70), 0);
    }
    assertThat(c.forecastTier("t").point()).isEqualTo(70);
    assertThat(c.forecastTier("other")).isNull();
  }

  @Test
  void settingsAreValidated() {
    assertThatThrownBy(() -> new PredictiveSettings(Duration.ofSeconds(1), "up", "holt", 1.2, Duration.ofMillis(2),
        300, 30, 0, 10)).hasMessage("adaptive.predictive.mode: up (expected: one of [lift, cap])");
    assertThatThrownBy(() -> new PredictiveSettings(Duration.ofSeconds(1), "lift", "holt", 0.5, Duration.ofMillis(2),
        300, 30, 0, 10)).hasMessage("adaptive.predictive.headroom: 0.5 (expected: >= 1.0 and <= 10.0)");
    assertThatThrownBy(() -> new PredictiveSettings(Duration.ofSeconds(1), "lift", "holt", 1.2, Duration.ofMillis(2),
        10, 30, 0, 10)).hasMessage("adaptive.predictive.history: 10 (expected: >= min-history 30)");
  }
}
