package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
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

/** The loop on a manual clock: cadence, application, shadow mode, tier scaling, the bucket bound. */
class ControlLoopTest {

  private static final long S = 1_000_000_000L;
  private static final long MS = 1_000_000L;

  private static LimiterSpec spec() {
    return LimiterSpec.builder()
        .tier("premium", Limit.of(1_000, 1_000), Limit.of(600, 600))
        .tier("sandbox", Limit.of(1_000, 1_000), Limit.of(400, 400))
        .global(Limit.of(1_000, 1_000))
        .build();
  }

  /** Feeds one interval of responses with the given p95-ish latency. */
  private static void interval(SignalCollector c, ManualClock clock, long latencyMs, int status) {
    for (int i = 0; i < 200; i++) {
      c.recordDecision("premium", true, 1);
      c.recordResponse(latencyMs * MS, status);
    }
    clock.advance(5 * S);
  }

  @Test
  void aimdGrowsThenCutsAndTiersFollowTheGlobalShare() {
    ManualClock clock = new ManualClock(-7 * S);
    Limiter limiter = Limiter.create(spec(), clock);
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withLimits(Composition.DEFAULTS.withCaps(100, 5000)
        .withoutDemandGate());
    SignalCollector c = SignalCollector.create(settings, clock.nanoTime());
    ControlLoop loop = ControlLoop.create(BucketStore.local(limiter), limiter.clock(), c, settings);

    assertThat(loop.runIfDue()).isFalse();
    interval(c, clock, 50, 200);
    assertThat(loop.runIfDue()).isTrue();
    assertThat(loop.rate()).isCloseTo(1200, within(1e-6));
    assertThat(limiter.spec().global().rate().perSecond()).isCloseTo(1200, within(1e-6));
    assertThat(limiter.spec().global().burst()).isEqualTo(1200);
    assertThat(limiter.spec().tiers().get("premium").aggregate().rate().perSecond()).isCloseTo(720, within(1e-6));
    assertThat(limiter.spec().tiers().get("sandbox").aggregate().rate().perSecond()).isCloseTo(480, within(1e-6));
    assertThat(limiter.spec().tiers().get("premium").perClient()).isEqualTo(Limit.of(1_000, 1_000));

    interval(c, clock, 500, 200);
    ControlStep step = loop.step();
    assertThat(step.previousRate()).isCloseTo(1200, within(1e-6));
    assertThat(step.composedRate()).isCloseTo(840, within(1e-6));
    assertThat(step.proposals()).containsOnlyKeys("latency-aimd"); // error backoff's period is 10 s
    assertThat(step.levelRates().get("global")).isCloseTo(840, within(1e-3));

    interval(c, clock, 50, 200);
    loop.step();
    // Warming up after the cut: +10 % only.
    assertThat(loop.rate()).isCloseTo(924, within(1e-6));
  }

  @Test
  void aStepKeepsWhatTheLoopDoesNotMove() {
    ManualClock clock = new ManualClock();
    LimiterSpec withConcurrency = spec().withConcurrency(64)
        .withTier(spec().tiers().get("premium").withConcurrency(32));
    Limiter limiter = Limiter.create(withConcurrency, clock);
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withLimits(Composition.DEFAULTS.withCaps(100, 5000)
        .withoutDemandGate());
    SignalCollector c = SignalCollector.create(settings, clock.nanoTime());
    ControlLoop loop = ControlLoop.create(BucketStore.local(limiter), clock, c, settings);

    interval(c, clock, 50, 200);
    loop.step();
    assertThat(limiter.spec().global().rate().perSecond()).isCloseTo(1200, within(1e-6));
    assertThat(limiter.spec().concurrency()).isEqualTo(64);
    assertThat(limiter.spec().tiers().get("premium").concurrency()).isEqualTo(32);
    assertThat(limiter.spec().permitTimeout()).isEqualTo(withConcurrency.permitTimeout());
    assertThat(limiter.spec().tiers().keySet()).containsExactlyElementsOf(withConcurrency.tiers().keySet());
  }

  @Test
  void errorBackoffRunsEveryTenSeconds() {
    ManualClock clock = new ManualClock();
    Limiter limiter = Limiter.create(spec(), clock);
    SignalCollector c = SignalCollector.create(AdaptiveSettings.DEFAULTS, 0);
    ControlLoop loop = ControlLoop.create(BucketStore.local(limiter), limiter.clock(), c, AdaptiveSettings.DEFAULTS);
    int ran = 0;
    for (int i = 0; i < 6; i++) {
      interval(c, clock, 200, 200);
      ControlStep s = loop.step();
      ran += s.proposals().containsKey("error-backoff") ? 1 : 0;
    }
    assertThat(ran).isEqualTo(3);
  }

  @Test
  void shadowModeProposesWithoutApplying() {
    ManualClock clock = new ManualClock();
    Limiter limiter = Limiter.create(spec(), clock);
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withShadow(true);
    SignalCollector c = SignalCollector.create(settings, 0);
    ControlLoop loop = ControlLoop.create(BucketStore.local(limiter), limiter.clock(), c, settings);
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
    AdaptiveSettings settings = AdaptiveSettings.DEFAULTS.withControllers(List.of("latency-aimd"))
        .withLimits(Composition.DEFAULTS.withCaps(100, 3000).withoutDemandGate());
    SignalCollector c = SignalCollector.create(settings, clock.nanoTime());
    ControlLoop loop = ControlLoop.create(BucketStore.local(limiter), limiter.clock(), c, settings);
    BucketInvariantChecker checker = new BucketInvariantChecker("global", limiter.spec().global(), clock.nanoTime());
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
    Limit seen = limiter.spec().global();
    for (int i = 0; i < 200_000; i++) {
      clock.advance(rnd.nextLong(1, 2 * MS));
      if (limiter.tryConsume("k" + (i % 7), "t", 1)) {
        checker.onAdmit(clock.nanoTime(), 1);
        c.recordDecision("t", true, 1);
        c.recordResponse((i / 20_000 % 2 == 0 ? 50 : 400) * MS, 200);
      }
      if (loop.runIfDue() && !limiter.spec().global().equals(seen)) {
        seen = limiter.spec().global();
        checker.onLimitChange(clock.nanoTime(), seen);
      }
    }
    assertThat(loop.lastStep()).isNotNull();
  }

  @Test
  void fixedBurstKeepsTheBurst() {
    ManualClock clock = new ManualClock();
    Limiter limiter = Limiter.create(spec(), clock);
    AdaptiveSettings d = AdaptiveSettings.DEFAULTS;
    AdaptiveSettings settings = new AdaptiveSettings(d.enabled(), d.shadow(), d.interval(), d.controllers(),
        d.latencyAimd(), d.errorBackoff(), d.gradient(), d.pi(), d.staticRate(), d.limits(), false, d.minBurst());
    ControlLoop loop = ControlLoop.create(BucketStore.local(limiter), limiter.clock(), SignalCollector.create(settings, 0), settings);
    assertThat(loop.scaled(500).global()).isEqualTo(Limit.of(1_000, 500));
    assertThat(ControlLoop.toRate(0.5).perSecond()).isEqualTo(0.5);
    assertThat(settings.interval()).isEqualTo(Duration.ofSeconds(5));
  }
}
