package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.core.BucketStore;
import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The predictive controller's per-tier and per-heavy-client rates through the control loop and a
 * real limiter, on the manual clock.
 */
class PredictiveAllocationTest {

  private static final long S = 1_000_000_000L;

  /** Two tiers of equal weight, each half of a global level of 1,000/s. */
  private static LimiterSpec spec() {
    return LimiterSpec.builder()
        .tier("interactive", Limit.of(100, 100), Limit.of(500, 500))
        .tier("batch", Limit.of(100, 100), Limit.of(500, 500))
        .global(Limit.of(1_000, 1_000))
        .build();
  }

  /** A model that forecasts the last window, upper bound equal to it. */
  private static final DemandForecaster LAST = new DemandForecaster() {
    @Override
    public Forecast forecast(double[] history, double stepSeconds) {
      return new Forecast(history[history.length - 1], Double.NaN);
    }

    @Override
    public String version() {
      return "test:last";
    }
  };

  private static PredictiveSettings settings(int heavyClients) {
    return new PredictiveSettings(Duration.ofSeconds(1), "lift", "holt", 1.0, Duration.ofMillis(2), 20, 2, 0,
        Double.POSITIVE_INFINITY).withAllocation(new PredictiveSettings.Allocation(true, 0.5, 4, heavyClients));
  }

  private record Rig(ManualClock clock, Limiter limiter, SignalCollector collector, ControlLoop loop) {}

  /** A loop whose rate is bounded by a static controller at {@code cap} (the stand-in for a capacity limit). */
  private static Rig rig(PredictiveSettings p, DemandForecaster model, double cap) {
    ManualClock clock = new ManualClock(0);
    Limiter limiter = Limiter.create(spec(), clock);
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withStaticRate(cap)
        .withControllers(List.of("static", "predictive")).withPredictive(p)
        .withLimits(Composition.DEFAULTS.withCaps(100, 5000).withoutDemandGate());
    SignalCollector c = SignalCollector.create(settings, clock.nanoTime());
    ControlLoop loop = ControlLoop.create(BucketStore.local(limiter), clock, c, settings,
        settings.enabledControllers(s -> new PredictiveController(s, model, clock::nanoTime)));
    return new Rig(clock, limiter, c, loop);
  }

  /** One second in which each tier asks for the given tokens (all admitted, as far as signals go). */
  private static ControlStep second(Rig r, long interactive, long batch) {
    for (int i = 0; i < interactive; i++) {
      r.collector.recordDecision("interactive", true, 1);
    }
    for (int i = 0; i < batch; i++) {
      r.collector.recordDecision("batch", true, 1);
    }
    r.clock.advance(S);
    return r.loop.step();
  }

  private static double tierRate(Rig r, String tier) {
    return r.limiter.spec().tiers().get(tier).aggregate().rate().perSecond();
  }

  @Test
  void tierRatesFollowEachTiersForecastUnderTheControlledRate() {
    Rig r = rig(settings(0), LAST, 1000);
    ControlStep first = second(r, 800, 100);
    // one window: no forecast yet, the configured shares
    assertThat(first.levelRates()).containsEntry("interactive", 500.0).containsEntry("batch", 500.0);
    second(r, 800, 100);
    // interactive wants 800, batch 100 (floor 250): 750 and 250, summing to the controlled 1,000
    assertThat(tierRate(r, "interactive")).isCloseTo(750, within(1e-3));
    assertThat(tierRate(r, "batch")).isCloseTo(250, within(1e-3));
    // the peaks swap: the rates follow
    second(r, 100, 700);
    // interactive wants its floor 250, batch 700: the 50 left is shared by weight
    assertThat(tierRate(r, "interactive")).isCloseTo(275, within(1e-3));
    assertThat(tierRate(r, "batch")).isCloseTo(725, within(1e-3));
    // the limiter enforces them: batch's aggregate bucket admits its new burst (scaled with the rate)
    assertThat(r.limiter.spec().tiers().get("batch").aggregate().burst()).isEqualTo(725);
  }

  @Test
  void theTiersTogetherStayUnderTheMinimumOfTheProposals() {
    Rig r = rig(settings(0), LAST, 600); // the rate cannot exceed 600 (the minimum wins)
    ControlStep step = null;
    for (int i = 0; i < 30; i++) {
      step = second(r, 900, 900);
    }
    assertThat(step.composedRate()).isCloseTo(600, within(1e-6));
    double sum = tierRate(r, "interactive") + tierRate(r, "batch");
    assertThat(sum).isLessThanOrEqualTo(600 + 1e-3);
    // both want more than the total: shared by weight (equal)
    assertThat(tierRate(r, "interactive")).isCloseTo(300, within(1e-3));
  }

  @Test
  void aSlowModelFallsBackPerTierToTheConfiguredShareAndIsCounted() {
    ManualClock[] clock = new ManualClock[1];
    DemandForecaster slowForBatch = new DemandForecaster() {
      @Override
      public Forecast forecast(double[] history, double stepSeconds) {
        if (history[history.length - 1] == 100) { // batch's history: sleeps past the 2 ms budget
          clock[0].advance(Duration.ofMillis(3));
        }
        return new Forecast(history[history.length - 1], Double.NaN);
      }

      @Override
      public String version() {
        return "test:slow-for-batch";
      }
    };
    ManualClock c = new ManualClock(0);
    clock[0] = c;
    Limiter limiter = Limiter.create(spec(), c);
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withStaticRate(1000)
        .withControllers(List.of("static", "predictive")).withPredictive(settings(0))
        .withLimits(Composition.DEFAULTS.withCaps(100, 5000).withoutDemandGate());
    SignalCollector col = SignalCollector.create(settings, c.nanoTime());
    ControlLoop loop = ControlLoop.create(BucketStore.local(limiter), c, col, settings,
        settings.enabledControllers(s -> new PredictiveController(s, slowForBatch, c::nanoTime)));
    Rig r = new Rig(c, limiter, col, loop);
    second(r, 600, 100);
    second(r, 600, 100);
    assertThat(loop.predictive().tierTargets()).containsEntry("interactive", 600.0);
    assertThat(loop.predictive().tierTargets().get("batch")).isNaN();
    assertThat(loop.predictive().fallbacks()).isEqualTo(1);
    assertThat(loop.predictive().lastFallback()).startsWith("timeout");
    // batch wants its configured share (500), interactive its 600: together above the 1,000, so the
    // fill by weight gives each 500; with a forecast for batch too interactive would get its 600
    assertThat(tierRate(r, "batch")).isCloseTo(500, within(1e-3));
    assertThat(tierRate(r, "interactive")).isCloseTo(500, within(1e-3));
    assertThat(r.loop.predictive().settings().allocation().tiers()).isTrue();
    Rig quick = rig(settings(0), LAST, 1000);
    second(quick, 600, 100);
    second(quick, 600, 100);
    assertThat(tierRate(quick, "interactive")).isCloseTo(675, within(1e-3));
  }

  @Test
  void heavyClientOverridesAppearAndAreRemoved() {
    Rig r = rig(settings(2), LAST, 1000);
    // "hot" asks for 150 tokens a second (above its 100/s per-client limit), "warm" 50, "cold" 10
    for (int s = 0; s < 3; s++) {
      for (int i = 0; i < 150; i++) {
        r.collector.recordClient("interactive", "hot", 1);
      }
      for (int i = 0; i < 50; i++) {
        r.collector.recordClient("interactive", "warm", 1);
      }
      for (int i = 0; i < 10; i++) {
        r.collector.recordClient("batch", "cold", 1);
      }
      second(r, 210, 10);
    }
    Map<String, Limit> overrides = r.limiter.spec().tiers().get("interactive").clients();
    // hot's forecast (150) is above the per-client 100/s: its own limit; warm's (50) is below, so it
    // keeps the tier's limit without an override (an override never lowers a client)
    assertThat(overrides).containsOnlyKeys("hot");
    assertThat(overrides.get("hot").rate().perSecond()).isCloseTo(150, within(1e-3));
    assertThat(overrides.get("hot").burst()).isEqualTo(150);
    assertThat(r.limiter.spec().tiers().get("interactive").clientLimit("warm")).isEqualTo(Limit.of(100, 100));
    assertThat(r.limiter.spec().tiers().get("batch").clients()).isEmpty(); // cold is not in the top 2
    // the limiter enforces it: hot's bucket holds 150 tokens
    int admitted = 0;
    while (r.limiter.tryAcquire("hot", "interactive", 1).allowed()) {
      admitted++;
    }
    assertThat(admitted).isBetween(100, 150);
    // hot stops and cold grows to 120/s: hot's recent demand decays below warm's and cold's, it leaves
    // the top 2 and its override goes; cold, now above its 100/s, gets one
    for (int s = 0; s < 8; s++) {
      for (int i = 0; i < 50; i++) {
        r.collector.recordClient("interactive", "warm", 1);
      }
      for (int i = 0; i < 120; i++) {
        r.collector.recordClient("batch", "cold", 1);
      }
      second(r, 50, 120);
    }
    assertThat(r.limiter.spec().tiers().get("interactive").clients()).isEmpty();
    assertThat(r.limiter.spec().tiers().get("interactive").clientLimit("hot")).isEqualTo(Limit.of(100, 100));
    assertThat(r.limiter.spec().tiers().get("batch").clients()).containsOnlyKeys("cold");
    assertThat(r.limiter.spec().tiers().get("batch").clientLimit("cold").rate().perSecond())
        .isCloseTo(120, within(1e-3));
  }
}
