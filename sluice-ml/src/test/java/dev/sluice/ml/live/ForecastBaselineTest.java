package dev.sluice.ml.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.adaptive.DemandForecaster;
import dev.sluice.adaptive.anomaly.Baseline;
import dev.sluice.adaptive.flood.FloodEvent;
import dev.sluice.adaptive.flood.FloodResponse;
import dev.sluice.adaptive.flood.FloodSettings;
import dev.sluice.adaptive.flood.WatchSettings;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import dev.sluice.ml.forecast.OnlineForecasters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The anomaly watch's baseline from a demand model, and its EWMA fallback. */
class ForecastBaselineTest {

  /** A real damped-Holt demand model, as a registry artifact runs it (fixed parameters). */
  private static final DemandForecaster HOLT = OnlineForecasters.holt(new double[] {0.5, 0.2, 0, 1}, "test-holt");

  @Test
  void withNoActiveModelTheForecastIsTheEwmas() {
    ForecastBaseline b = ForecastBaseline.of(() -> null, 1, 60, Baseline.ewma(0.1));
    Baseline ewma = Baseline.ewma(0.1);
    for (int i = 0; i < 100; i++) {
      double v = 100 + 3 * i;
      assertThat(b.forecast()).isEqualTo(ewma.forecast(), org.assertj.core.api.Assertions.within(1e-9));
      b.observe(i, v);
      ewma.observe(i, v);
    }
    assertThat(b.lastSource()).isEqualTo("ewma");
  }

  @Test
  void anActiveModelForecastsAndItsDeactivationFallsBack() {
    AtomicReference<DemandForecaster> active = new AtomicReference<>(HOLT);
    ForecastBaseline b = ForecastBaseline.of(active::get, 10, 60, Baseline.ewma(0.1));
    Baseline ewma = Baseline.ewma(0.1);
    // a ramp of 30 tokens per 10 s window: Holt follows it, the EWMA lags by about 9 steps
    for (int i = 0; i < 100; i++) {
      b.observe(i, 1000 + 30 * i);
      ewma.observe(i, 1000 + 30 * i);
    }
    double next = 1000 + 30 * 100;
    assertThat(b.forecast()).isCloseTo(next, org.assertj.core.api.Assertions.within(5.0));
    assertThat(b.lastSource()).isEqualTo("model");
    assertThat(next - ewma.forecast()).isGreaterThan(200);
    active.set(null);
    assertThat(b.forecast()).isEqualTo(ewma.forecast());
    assertThat(b.lastSource()).isEqualTo("ewma");
    // a failing model falls back too
    active.set(new DemandForecaster() {
      @Override
      public Forecast forecast(double[] history, double stepSeconds) {
        throw new IllegalStateException("broken");
      }

      @Override
      public String version() {
        return "broken";
      }
    });
    assertThat(b.forecast()).isEqualTo(ewma.forecast());
    assertThat(b.copy().forecast()).isNaN();
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> ForecastBaseline.of(() -> null, 0, 60, Baseline.ewma(0.1)))
        .hasMessage("stepSeconds: 0.0 (expected: > 0)");
    assertThatThrownBy(() -> ForecastBaseline.of(() -> null, 1, 3, Baseline.ewma(0.1)))
        .hasMessage("history: 3 (expected: >= 10 and <= 100000)");
    assertThatThrownBy(() -> ForecastBaseline.of(null, 1, 60, Baseline.ewma(0.1)))
        .hasMessage("model and fallback: required");
  }

  /**
   * The watch in a {@link FloodResponse}: a tier whose demand climbs steeply (a daily peak, 500 to
   * 3,500 requests a second over ten minutes, Poisson-like noise) is a lasting drift against the
   * EWMA baseline; a trend-following demand model sees at most the ramp's onset.
   */
  @Test
  void theWatchMeasuresATierAgainstTheModelWhenOneIsActive() {
    List<FloodEvent> withEwma = new ArrayList<>();
    int ewmaWindows = ramp(ForecastBaseline.perTier(() -> null, 1), withEwma);
    List<FloodEvent> withModel = new ArrayList<>();
    int modelWindows = ramp(ForecastBaseline.perTier(() -> HOLT, 1), withModel);
    System.out.printf("ramp: tier score >= 0.5 in %d windows with the EWMA baseline (%s), %d with the model (%s)%n",
        ewmaWindows, withEwma, modelWindows, withModel);
    assertThat(withEwma).anyMatch(e -> e.scope().equals("tier:std") && e.kind().equals("drift"));
    // the model: one alert at the ramp's onset (a change of trend it cannot foresee, latched for
    // 30 intervals), none while the ramp goes on; the EWMA: alerts again later in the ramp
    assertThat(withModel).hasSizeLessThan(withEwma.size()).allMatch(e -> e.startNanos() < 700_000_000_000L);
    assertThat(withEwma).anyMatch(e -> e.startNanos() > 700_000_000_000L);
    assertThat(modelWindows).isLessThan(ewmaWindows);
  }

  /** Runs the ramp, collecting the events opened; returns the windows in which the tier scored >= 0.5. */
  private static int ramp(Function<String, Baseline> tierBaseline, List<FloodEvent> opened) {
    ManualClock clock = new ManualClock();
    LimiterSpec spec = LimiterSpec.builder().tier("std", Limit.of(1000, 1000), Limit.of(10_000, 10_000))
        .defaultTier("std").build();
    FloodSettings settings = new FloodSettings(true, Duration.ofSeconds(1), Duration.ofSeconds(60),
        Duration.ofSeconds(10), 0.5, 0.2, Duration.ofSeconds(10), Duration.ofSeconds(30), false, 1 << 16, 0.05,
        FloodSettings.TierResponse.DEFAULTS, Map.of());
    int alarmed = 0;
    FloodResponse r = FloodResponse.create(settings, WatchSettings.DEFAULTS, tierBaseline, spec, clock, e -> {
      if (e.open()) {
        opened.add(e);
      }
    });
    SplittableRandom rng = new SplittableRandom(7);
    for (int s = 0; s < 1200; s++) {
      double mean = s < 600 ? 500 : 500 + 3000.0 * Math.min(1, (s - 600) / 600.0);
      long n = Math.round(mean + Math.sqrt(mean) * gaussian(rng));
      for (long i = 0; i < n; i++) {
        r.admit("c" + (i % 400), "std", 1);
      }
      clock.advance(1_000_000_000L);
      r.step(spec);
      alarmed += r.tierScore("std") >= 0.5 ? 1 : 0;
    }
    return alarmed;
  }

  private static double gaussian(SplittableRandom rng) {
    return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
  }
}
