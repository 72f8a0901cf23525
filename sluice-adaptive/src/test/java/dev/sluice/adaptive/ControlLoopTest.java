package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.core.BucketStore;
import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import dev.sluice.testkit.BucketInvariantChecker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The loop on a manual clock: cadence, standing proposals, application, shadow mode, tier scaling,
 * the bucket bound, urgent cuts, the error memory and the concurrency limit.
 */
class ControlLoopTest {

  private static final long S = 1_000_000_000L;
  private static final long MS = 1_000_000L;

  /** The seed's controllers at the seed's 5 s interval. */
  private static final AdaptiveSettings SEED_5S =
      AdaptiveSettings.DEFAULTS.withControllers(AdaptiveSettings.SEED_CONTROLLERS).withInterval(Duration.ofSeconds(5));

  private static LimiterSpec spec() {
    return LimiterSpec.builder()
        .tier("premium", Limit.of(1_000, 1_000), Limit.of(600, 600))
        .tier("sandbox", Limit.of(1_000, 1_000), Limit.of(400, 400))
        .global(Limit.of(1_000, 1_000))
        .build();
  }

  /** Feeds one 5 s interval of 200 responses with the given latency and status. */
  private static void interval(SignalCollector c, ManualClock clock, long latencyMs, int status) {
    second(c, clock, 200, latencyMs, status, 5);
  }

  /** Feeds {@code n} admitted requests of cost 1 answered after {@code latencyMs} with {@code status}, then advances. */
  private static void second(SignalCollector c, ManualClock clock, int n, long latencyMs, int status, int seconds) {
    for (int i = 0; i < n; i++) {
      c.recordDecision("premium", true, 1);
      c.recordResponse(latencyMs * MS, status, 1);
    }
    clock.advance(seconds * S);
  }

  private static ControlLoop loop(Limiter limiter, SignalCollector c, AdaptiveSettings settings) {
    return ControlLoop.create(BucketStore.local(limiter), limiter.clock(), c, settings);
  }

  @Test
  void aimdGrowsThenCutsAndTiersFollowTheGlobalShare() {
    ManualClock clock = new ManualClock(-7 * S);
    Limiter limiter = Limiter.create(spec(), clock);
    AdaptiveSettings settings = SEED_5S.withLimits(Composition.DEFAULTS.withCaps(100, 5000).withoutDemandGate());
    SignalCollector c = SignalCollector.create(settings, clock.nanoTime());
    ControlLoop loop = loop(limiter, c, settings);

    assertThat(loop.runIfDue()).isFalse();
    interval(c, clock, 50, 200);
    assertThat(loop.runIfDue()).isTrue();
    // AIMD proposes x1.2; five seconds of the +3.7 %/s ramp give 1.037^5.
    double up = 1000 * Math.pow(1.037, 5);
    assertThat(loop.rate()).isCloseTo(up, within(1e-6));
    assertThat(limiter.spec().global().rate().perSecond()).isCloseTo(up, within(1e-3));
    assertThat(limiter.spec().global().burst()).isEqualTo(Math.round(up));
    assertThat(limiter.spec().tiers().get("premium").aggregate().rate().perSecond()).isCloseTo(up * 0.6, within(1e-3));
    assertThat(limiter.spec().tiers().get("sandbox").aggregate().rate().perSecond()).isCloseTo(up * 0.4, within(1e-3));
    assertThat(limiter.spec().tiers().get("premium").perClient()).isEqualTo(Limit.of(1_000, 1_000));

    interval(c, clock, 500, 200);
    ControlStep step = loop.step();
    assertThat(step.previousRate()).isCloseTo(up, within(1e-6));
    assertThat(step.composedRate()).isCloseTo(up * 0.7, within(1e-6));
    assertThat(step.ran()).containsExactly("latency-aimd"); // error backoff's period is 10 s
    assertThat(step.proposals()).containsOnlyKeys("latency-aimd", "error-backoff");
    assertThat(step.levelRates().get("global")).isCloseTo(up * 0.7, within(1e-3));

    interval(c, clock, 50, 200);
    loop.step();
    // Warming up after the cut: the seed's +10 % per 5 s, as 1.019^5.
    assertThat(loop.rate()).isCloseTo(up * 0.7 * Math.pow(1.019, 5), within(1e-6));
  }

  @Test
  void aStepKeepsWhatTheLoopDoesNotMove() {
    ManualClock clock = new ManualClock();
    LimiterSpec withConcurrency = spec().withConcurrency(64)
        .withTier(spec().tiers().get("premium").withConcurrency(32));
    Limiter limiter = Limiter.create(withConcurrency, clock);
    // The seed's controllers: no capacity controller, so no concurrency limit to apply.
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withControllers(AdaptiveSettings.SEED_CONTROLLERS)
        .withLimits(Composition.DEFAULTS.withCaps(100, 5000).withoutDemandGate());
    SignalCollector c = SignalCollector.create(settings, clock.nanoTime());
    ControlLoop loop = ControlLoop.create(BucketStore.local(limiter), clock, c, settings);

    interval(c, clock, 50, 200);
    loop.step();
    assertThat(limiter.spec().global().rate().perSecond()).as("the step moved the rate").isGreaterThan(1000.0);
    assertThat(limiter.spec().concurrency()).isEqualTo(64);
    assertThat(limiter.spec().tiers().get("premium").concurrency()).isEqualTo(32);
    assertThat(limiter.spec().permitTimeout()).isEqualTo(withConcurrency.permitTimeout());
    assertThat(limiter.spec().tiers().keySet()).containsExactlyElementsOf(withConcurrency.tiers().keySet());
  }

  @Test
  void errorBackoffRunsEveryTenSeconds() {
    ManualClock clock = new ManualClock();
    Limiter limiter = Limiter.create(spec(), clock);
    SignalCollector c = SignalCollector.create(SEED_5S, 0);
    ControlLoop loop = loop(limiter, c, SEED_5S);
    int ran = 0;
    for (int i = 0; i < 6; i++) {
      interval(c, clock, 200, 200);
      ran += loop.step().ran().contains("error-backoff") ? 1 : 0;
    }
    assertThat(ran).isEqualTo(3);
  }

  @Test
  void aSlowControllersProposalStandsWhileTheRampMovesTheRateThere() {
    ManualClock clock = new ManualClock();
    Limiter limiter = Limiter.create(spec(), clock);
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withControllers(List.of("latency-aimd"))
        .withLimits(Composition.DEFAULTS.withCaps(100, 5000).withoutDemandGate());
    SignalCollector c = SignalCollector.create(settings, 0);
    ControlLoop loop = loop(limiter, c, settings);
    double expected = 1000;
    for (int i = 1; i <= 5; i++) {
      second(c, clock, 100, 50, 200, 1);
      ControlStep step = loop.step();
      assertThat(step.ran()).isEqualTo(i == 1 ? List.of("latency-aimd") : List.of());
      assertThat(step.proposals().get("latency-aimd")).isCloseTo(1200, within(1e-9));
      expected = Math.min(1200, expected * 1.037);
      assertThat(loop.rate()).isCloseTo(expected, within(1e-6));
    }
    // Five one-second steps reach what one 5 s step reached: 1.037^5 of the start.
    assertThat(loop.rate()).isCloseTo(1000 * Math.pow(1.037, 5), within(1e-6));
    second(c, clock, 100, 50, 200, 1);
    assertThat(loop.step().ran()).containsExactly("latency-aimd");
  }

  @Test
  void aCutOnTimeoutsOrAQueueingSpikeIsNotRampLimited() {
    ManualClock clock = new ManualClock();
    Limiter limiter = Limiter.create(spec(), clock);
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withStaticRate(300).withControllers(List.of("static"));
    SignalCollector c = SignalCollector.create(settings, 0);
    ControlLoop loop = loop(limiter, c, settings);
    second(c, clock, 1000, 40, 200, 1);
    ControlStep calm = loop.step();
    assertThat(calm.urgent()).isFalse();
    assertThat(loop.rate()).as("-13 %/s").isCloseTo(870, within(1e-6));

    // 2 % of the answers are timeouts: the static controller's cut applies in full.
    for (int i = 0; i < 20; i++) {
      c.recordDecision("premium", true, 1);
      c.recordResponse(1000 * MS, 504, 1);
    }
    second(c, clock, 980, 40, 200, 1);
    ControlStep timeouts = loop.step();
    assertThat(timeouts.urgent()).isTrue();
    assertThat(loop.rate()).isEqualTo(300);

    // A queueing spike: median latency twice the 40 ms base RTT.
    Limiter other = Limiter.create(spec(), clock);
    SignalCollector c2 = SignalCollector.create(settings, clock.nanoTime());
    ControlLoop loop2 = loop(other, c2, settings);
    second(c2, clock, 1000, 40, 200, 1);
    loop2.step();
    second(c2, clock, 1000, 90, 200, 1);
    assertThat(loop2.step().urgent()).isTrue();
    assertThat(loop2.rate()).isEqualTo(300);
  }

  @Test
  void errorBackoffRemembersNoLongerThanItsPeriod() {
    ManualClock clock = new ManualClock();
    Limiter limiter = Limiter.create(spec(), clock);
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withControllers(List.of("error-backoff"))
        .withLimits(Composition.DEFAULTS.withCaps(10, 5000));
    SignalCollector c = SignalCollector.create(settings, 0);
    ControlLoop loop = loop(limiter, c, settings);
    // Ten seconds of half fast 503s, then twenty clean seconds, one-second steps.
    int cuts = 0;
    for (int second = 1; second <= 30; second++) {
      second(c, clock, 50, 5, 200, 0);
      second(c, clock, second <= 10 ? 50 : 0, 5, 503, 1);
      ControlStep step = loop.step();
      if (step.ran().contains("error-backoff")) {
        double p = step.proposals().get("error-backoff");
        if (second <= 11) {
          assertThat(p).as("run at %d s", second).isLessThan(step.previousRate());
          cuts++;
        } else {
          // At 21 s the window holds 11..21 s: clean. The seed's 60 s window would still cut.
          assertThat(p).as("run at %d s", second).isEqualTo(RateController.ABSTAIN);
        }
      }
    }
    assertThat(cuts).isEqualTo(2);
    assertThatThrownBy(() -> new ErrorBackoffController(Duration.ofSeconds(10), Duration.ofSeconds(60), 0.05, 0.5,
        100, 20)).hasMessageStartingWith("adaptive.error-backoff.window: PT1M (expected: <= period PT10S");
  }

  @Test
  void theCapacityControllersConcurrencyLimitIsExposed() {
    ManualClock clock = new ManualClock();
    Limiter limiter = Limiter.create(spec(), clock);
    SignalCollector c = SignalCollector.create(AdaptiveSettings.DEFAULTS, 0);
    ControlLoop loop = loop(limiter, c, AdaptiveSettings.DEFAULTS);
    assertThat(loop.concurrencyLimit()).isNaN();
    for (int i = 0; i < 3; i++) {
      second(c, clock, 1000, 40, 200, 1);
      loop.step();
    }
    // 1000 tokens/s served at a 40 ms base RTT, not saturated, with the new rate R >= 1000 in force:
    // R * 0.040 * 1.25 + 5 tokens in flight (55 at 1000/s), within the base RTT estimate's resolution.
    double limit = expectedLimit(loop.lastStep());
    assertThat(loop.rate()).isGreaterThan(1000.0);
    assertThat(loop.lastStep().concurrencyLimit()).isCloseTo(limit, within(0.5));
    assertThat(loop.concurrencyLimit()).isEqualTo(loop.lastStep().concurrencyLimit());
    // An interval the controller does not judge keeps the last limit.
    clock.advance(S);
    assertThat(loop.step().concurrencyLimit()).isEqualTo(loop.concurrencyLimit()).isCloseTo(limit, within(0.5));

    AdaptiveSettings seed = AdaptiveSettings.DEFAULTS.withControllers(AdaptiveSettings.SEED_CONTROLLERS);
    ControlLoop without = loop(limiter, SignalCollector.create(seed, clock.nanoTime()), seed);
    clock.advance(S);
    assertThat(without.step().concurrencyLimit()).isNaN();
  }

  /** The capacity controller's limit after a step of 1000 tokens/s at a 40 ms base RTT, not saturated. */
  private static double expectedLimit(ControlStep step) {
    return Math.max(1000, step.composedRate()) * 0.040 * 1.25 + 5;
  }

  /** Three seconds of 1000 tokens/s at 40 ms: the capacity controller's limit becomes about 60 (see above). */
  private static ControlStep capacitySteps(ControlLoop loop, SignalCollector c, ManualClock clock) {
    ControlStep step = null;
    for (int i = 0; i < 3; i++) {
      second(c, clock, 1000, 40, 200, 1);
      step = loop.step();
    }
    return step;
  }

  @Test
  void theConcurrencyLimitIsAppliedWhenTheSpecHasAGlobalConcurrencyLevel() {
    ManualClock clock = new ManualClock();
    LimiterSpec opted = spec().withConcurrency(64).withTier(spec().tiers().get("premium").withConcurrency(32));
    Limiter limiter = Limiter.create(opted, clock);
    SignalCollector c = SignalCollector.create(AdaptiveSettings.DEFAULTS, 0);
    ControlLoop loop = loop(limiter, c, AdaptiveSettings.DEFAULTS);
    ControlStep step = capacitySteps(loop, c, clock);
    assertThat(step.concurrencyLimit()).isCloseTo(expectedLimit(step), within(0.5));
    // Rounded up, in the same reconfigure as the rate; tier levels and the rest stay.
    assertThat(limiter.spec().concurrency()).isEqualTo((long) Math.ceil(step.concurrencyLimit()));
    assertThat(limiter.spec().global().rate().perSecond()).isCloseTo(step.composedRate(), within(1e-3));
    assertThat(limiter.spec().tiers().get("premium").concurrency()).isEqualTo(32);
    assertThat(limiter.spec().permitTimeout()).isEqualTo(opted.permitTimeout());
  }

  @Test
  void theAppliedConcurrencyLevelIsBoundedByTheConfiguredOneAndTheLargestCost() {
    ManualClock clock = new ManualClock();
    // Configured 10 at 1000/s with a 2000/s rate cap: the ~60-token limit is capped at 10 x 2000 / 1000.
    Limiter small = Limiter.create(spec().withConcurrency(10), clock);
    SignalCollector c = SignalCollector.create(AdaptiveSettings.DEFAULTS, 0);
    ControlLoop loop = loop(small, c, AdaptiveSettings.DEFAULTS);
    capacitySteps(loop, c, clock);
    assertThat(small.spec().concurrency()).isEqualTo(20);

    // The smallest burst (at least the largest request cost) floors it: ~80 -> 120.
    Limiter costly = Limiter.create(spec().withConcurrency(50), clock);
    AdaptiveSettings floored = AdaptiveSettings.DEFAULTS.withMinBurst(120);
    SignalCollector c2 = SignalCollector.create(floored, clock.nanoTime());
    ControlLoop loop2 = loop(costly, c2, floored);
    ControlStep step2 = capacitySteps(loop2, c2, clock);
    assertThat(loop2.concurrencyLimit()).isCloseTo(expectedLimit(step2), within(0.5)).isLessThan(120);
    assertThat(costly.spec().concurrency()).isEqualTo(120);
  }

  @Test
  void withAConcurrencyLevelTheRateProbesAtTheProbeGainAndTheRampLetsIt() {
    // Demand 1000/s, served at 40 ms with no queue; no demand gate, caps far away.
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withLimits(Composition.DEFAULTS.withCaps(100, 100_000)
        .withoutDemandGate());
    double[] rates = new double[2];
    for (int bounded = 0; bounded < 2; bounded++) {
      ManualClock clock = new ManualClock();
      LimiterSpec s = bounded == 1 ? spec().withConcurrency(10_000) : spec();
      Limiter limiter = Limiter.create(s, clock);
      SignalCollector c = SignalCollector.create(settings, 0);
      ControlLoop loop = loop(limiter, c, settings);
      second(c, clock, 1000, 40, 200, 1);
      loop.step();
      rates[bounded] = loop.rate();
    }
    // Unbounded: the controller proposes x1.25 and the ramp allows +3.7 % a second.
    assertThat(rates[0]).isCloseTo(1000 * 1.037, within(1e-6));
    // Bounded by a level: it proposes x1.5 (probe-gain) and the ramp lifts to +50 % a second.
    assertThat(rates[1]).isCloseTo(1000 * 1.5, within(1e-6));
  }

  @Test
  void theLevelDecaysWhileTheBackendKeepsUpAndIsCutAtOnceWhenSaturated() {
    ManualClock clock = new ManualClock();
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withLimits(Composition.DEFAULTS.withCaps(100, 100_000)
        .withoutDemandGate());
    Limiter limiter = Limiter.create(spec().withConcurrency(500), clock);
    SignalCollector c = SignalCollector.create(settings, 0);
    ControlLoop loop = loop(limiter, c, settings);
    // Not saturated: the formula says ~80 (1500/s x 40 ms x 1.25 + 5), but the configured 500
    // may only fall 10 % a second.
    second(c, clock, 1000, 40, 200, 1);
    loop.step();
    assertThat(loop.concurrencyLimit()).isCloseTo(500 * 0.9, within(1e-6));
    second(c, clock, 1000, 40, 200, 1);
    loop.step();
    assertThat(loop.concurrencyLimit()).isCloseTo(500 * 0.81, within(1e-6));
    // Saturated (median latency 3x the base RTT): the served-rate limit applies at once.
    second(c, clock, 500, 120, 200, 1);
    ControlStep cut = loop.step();
    assertThat(cut.concurrencyLimit()).isCloseTo(500 * 0.040 * 1.25 + 5, within(0.5));
    assertThat(limiter.spec().concurrency()).isEqualTo((long) Math.ceil(cut.concurrencyLimit()));
  }

  @Test
  void theConcurrencyLimitIsNotAppliedWithoutAGlobalConcurrencyLevel() {
    ManualClock clock = new ManualClock();
    LimiterSpec tierOnly = spec().withTier(spec().tiers().get("premium").withConcurrency(32));
    Limiter limiter = Limiter.create(tierOnly, clock);
    SignalCollector c = SignalCollector.create(AdaptiveSettings.DEFAULTS, 0);
    ControlLoop loop = loop(limiter, c, AdaptiveSettings.DEFAULTS);
    ControlStep step = capacitySteps(loop, c, clock);
    assertThat(step.concurrencyLimit()).isCloseTo(expectedLimit(step), within(0.5));
    assertThat(limiter.spec().concurrency()).isZero();
    assertThat(limiter.spec().tiers().get("premium").concurrency()).isEqualTo(32);
  }

  @Test
  void inShadowModeTheConcurrencyLimitIsOnlyExported() {
    ManualClock clock = new ManualClock();
    LimiterSpec opted = spec().withConcurrency(64);
    Limiter limiter = Limiter.create(opted, clock);
    AdaptiveSettings shadow = AdaptiveSettings.DEFAULTS.withShadow(true);
    SignalCollector c = SignalCollector.create(shadow, 0);
    ControlLoop loop = loop(limiter, c, shadow);
    ControlStep step = capacitySteps(loop, c, clock);
    assertThat(step.applied()).isFalse();
    assertThat(step.concurrencyLimit()).isCloseTo(expectedLimit(step), within(0.5));
    assertThat(loop.concurrencyLimit()).isEqualTo(step.concurrencyLimit());
    assertThat(limiter.spec()).isEqualTo(opted);
  }

  @Test
  void shadowModeProposesWithoutApplying() {
    ManualClock clock = new ManualClock();
    Limiter limiter = Limiter.create(spec(), clock);
    AdaptiveSettings settings = SEED_5S.withShadow(true);
    SignalCollector c = SignalCollector.create(settings, 0);
    ControlLoop loop = loop(limiter, c, settings);
    interval(c, clock, 500, 200);
    ControlStep step = loop.step();
    assertThat(step.applied()).isFalse();
    assertThat(step.composedRate()).isCloseTo(700, within(1e-6));
    assertThat(limiter.spec().global().rate().perSecond()).isEqualTo(1000);
    assertThat(loop.target()).isEqualTo("global");
    assertThat(step.levelRates().get("global")).isCloseTo(1000, within(1e-6));
    assertThat(step.levelRates().get("premium")).isCloseTo(600, within(1e-6));
    assertThat(step.proposals().get("latency-aimd")).isCloseTo(700, within(1e-6));
  }

  @Test
  void globalBucketNeverOverAdmitsWhileTheLoopMovesIt() {
    ManualClock clock = new ManualClock(Long.MAX_VALUE / 4);
    Limiter limiter = Limiter.create(LimiterSpec.builder().tier("t", Limit.of(100_000, 100_000))
        .global(Limit.of(1_000, 1_000)).build(), clock);
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withControllers(List.of("latency-aimd", "capacity"))
        .withLimits(Composition.DEFAULTS.withCaps(100, 3000).withoutDemandGate());
    SignalCollector c = SignalCollector.create(settings, clock.nanoTime());
    ControlLoop loop = loop(limiter, c, settings);
    BucketInvariantChecker checker = new BucketInvariantChecker("global", limiter.spec().global(), clock.nanoTime());
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
    Limit seen = limiter.spec().global();
    int moves = 0;
    for (int i = 0; i < 200_000; i++) {
      clock.advance(rnd.nextLong(1, 2 * MS));
      if (limiter.tryConsume("k" + (i % 7), "t", 1)) {
        checker.onAdmit(clock.nanoTime(), 1);
        c.recordDecision("t", true, 1);
        c.recordResponse((i / 20_000 % 2 == 0 ? 50 : 400) * MS, 200, 1);
      }
      if (loop.runIfDue() && !limiter.spec().global().equals(seen)) {
        seen = limiter.spec().global();
        checker.onLimitChange(clock.nanoTime(), seen);
        moves++;
      }
    }
    assertThat(moves).isGreaterThan(10);
  }

  @Test
  void fixedBurstKeepsTheBurst() {
    ManualClock clock = new ManualClock();
    Limiter limiter = Limiter.create(spec(), clock);
    AdaptiveSettings d = AdaptiveSettings.DEFAULTS;
    AdaptiveSettings settings = new AdaptiveSettings(d.enabled(), d.shadow(), d.interval(), d.controllers(),
        d.latencyAimd(), d.errorBackoff(), d.gradient(), d.pi(), d.staticRate(), d.limits(), false, d.minBurst(),
        d.capacity());
    ControlLoop loop = loop(limiter, SignalCollector.create(settings, 0), settings);
    assertThat(loop.scaled(500).global()).isEqualTo(Limit.of(1_000, 500));
    assertThat(ControlLoop.toRate(0.5).perSecond()).isEqualTo(0.5);
    assertThat(settings.interval()).isEqualTo(Duration.ofSeconds(1));
  }

  /** A test model: forecasts {@code value} with no interval. */
  private static DemandForecaster constant(double value) {
    return new DemandForecaster() {
      @Override
      public Forecast forecast(double[] history, double stepSeconds) {
        return new Forecast(value, Double.NaN);
      }

      @Override
      public String version() {
        return "test:constant";
      }
    };
  }

  @Test
  void aPredictiveLiftOpensTheDemandGateButNotTheRamp() {
    ManualClock clock = new ManualClock(0);
    Limiter limiter = Limiter.create(spec(), clock);
    PredictiveSettings p = new PredictiveSettings(Duration.ofSeconds(1), "lift", "holt", 1.0, Duration.ofMillis(2),
        10, 2, 0, Double.POSITIVE_INFINITY);
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withStaticRate(5000)
        .withControllers(List.of("static", "predictive")).withPredictive(p);
    SignalCollector c = SignalCollector.create(settings, clock.nanoTime());
    List<RateController> controllers = settings.enabledControllers(s -> new PredictiveController(s, constant(2000),
        clock::nanoTime));
    ControlLoop loop = ControlLoop.create(BucketStore.local(limiter), clock, c, settings, controllers);
    assertThat(loop.predictive()).isNotNull();
    // 100 tokens a second of demand: the gate (1.5 x 100) holds the rate at 1000 until the forecast lifts it.
    second(c, clock, 100, 10, 200, 1);
    assertThat(loop.step().composedRate()).isEqualTo(1000); // one window of history: no forecast yet
    second(c, clock, 100, 10, 200, 1);
    ControlStep lifted = loop.step();
    assertThat(lifted.composedRate()).isCloseTo(1037, within(1e-6)); // lifted, at the ramp's pace
    assertThat(lifted.proposals()).containsEntry("predictive", 2000.0).containsEntry("static", 5000.0);
    // Without the predictive controller the same demand holds the rate.
    ManualClock other = new ManualClock(0);
    Limiter plain = Limiter.create(spec(), other);
    AdaptiveSettings alone = settings.withControllers(List.of("static"));
    SignalCollector c2 = SignalCollector.create(alone, other.nanoTime());
    ControlLoop without = ControlLoop.create(BucketStore.local(plain), other, c2, alone);
    second(c2, other, 100, 10, 200, 1);
    without.step();
    second(c2, other, 100, 10, 200, 1);
    assertThat(without.step().composedRate()).isEqualTo(1000);
  }

  @Test
  void aPredictiveCapIsAProposalAndAMissingModelFallsBack() {
    ManualClock clock = new ManualClock(0);
    Limiter limiter = Limiter.create(spec(), clock);
    PredictiveSettings p = new PredictiveSettings(Duration.ofSeconds(1), "cap", "holt", 1.0, Duration.ofMillis(2),
        10, 2, 0, Double.POSITIVE_INFINITY);
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withControllers(List.of("predictive")).withPredictive(p)
        .withLimits(Composition.DEFAULTS.withoutDemandGate());
    SignalCollector c = SignalCollector.create(settings, clock.nanoTime());
    ControlLoop loop = ControlLoop.create(BucketStore.local(limiter), clock, c, settings,
        settings.enabledControllers(s -> new PredictiveController(s, constant(500), clock::nanoTime)));
    second(c, clock, 100, 10, 200, 1);
    loop.step();
    second(c, clock, 100, 10, 200, 1);
    assertThat(loop.step().composedRate()).isCloseTo(870, within(1e-6)); // toward 500 at the ramp-down limit
    // enabledControllers() without a factory: no forecaster, every run falls back, the rate holds.
    ManualClock other = new ManualClock(0);
    Limiter plain = Limiter.create(spec(), other);
    SignalCollector c2 = SignalCollector.create(settings, other.nanoTime());
    ControlLoop none = ControlLoop.create(BucketStore.local(plain), other, c2, settings);
    second(c2, other, 100, 10, 200, 1);
    none.step();
    second(c2, other, 100, 10, 200, 1);
    assertThat(none.step().composedRate()).isEqualTo(1000);
    assertThat(none.predictive().fallbacks()).isEqualTo(1);
  }
}
