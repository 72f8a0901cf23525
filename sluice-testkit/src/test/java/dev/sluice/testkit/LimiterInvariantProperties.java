package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Decision;
import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import dev.sluice.core.Rate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Random traffic against a two-tier limiter with client, tier and global levels, random weighted
 * costs, random gaps, random limit changes at every level and random start times (including the
 * top and bottom of the clock's range); every bucket is watched by a {@link BucketInvariantChecker}.
 * 200 tries of 5,000 steps: 10^6 decisions per run.
 */
class LimiterInvariantProperties {

  private static final int STEPS = 5_000;
  private static final String[] TIERS = {"gold", "free"};

  private static final AtomicLong ADMITTED = new AtomicLong();
  private static final AtomicLong DECIDED = new AtomicLong();

  @AfterContainer
  static void theRunsExercisedBothOutcomes() {
    // Guards against a generator that only ever produces denials (which would check nothing).
    assertThat(DECIDED.get()).isEqualTo(200L * STEPS);
    assertThat(ADMITTED.get()).isBetween(DECIDED.get() / 10, DECIDED.get() * 9 / 10);
  }

  @Property(tries = 200, seed = "20261124")
  void noBucketEverAdmitsMoreThanBurstPlusRateTimesT(@ForAll long seed) {
    new Run(new SplittableRandom(seed)).go();
  }

  /** One random run. */
  private static final class Run {
    private final SplittableRandom rnd;
    private final ManualClock clock;
    private final Limiter limiter;
    private final Map<String, BucketInvariantChecker> clients = new HashMap<>();
    private final Map<String, BucketInvariantChecker> tiers = new HashMap<>();
    private BucketInvariantChecker global;
    private final int keys;
    private final long[] gaps = new long[STEPS];
    private long admittedSteps;

    Run(SplittableRandom rnd) {
      this.rnd = rnd;
      this.keys = 1 + rnd.nextInt(12);
      LimiterSpec.Builder spec = LimiterSpec.builder();
      long typicalInterval = Long.MAX_VALUE;
      for (String t : TIERS) {
        Limit perClient = randomLimit();
        Limit aggregate = rnd.nextInt(3) == 0 ? null : randomLimit();
        spec.tier(t, perClient, aggregate);
        typicalInterval = Math.min(typicalInterval, perClient.rate().intervalNanos());
      }
      Limit g = rnd.nextInt(3) == 0 ? null : randomLimit();
      spec.global(g);
      long span = 0;
      for (int i = 0; i < STEPS; i++) {
        gaps[i] = randomGap(typicalInterval);
        span += gaps[i];
      }
      long start = switch (rnd.nextInt(4)) {
        case 0 -> Long.MAX_VALUE - span - rnd.nextLong(1 + typicalInterval * 4); // run into the end of time
        case 1 -> Long.MIN_VALUE + 2 + rnd.nextLong(1_000_000);
        default -> rnd.nextLong(Long.MIN_VALUE / 2, Long.MAX_VALUE / 2);
      };
      this.clock = new ManualClock(start);
      LimiterSpec built = spec.build();
      this.limiter = Limiter.create(built, clock);
      for (String t : TIERS) {
        Limit agg = built.tiers().get(t).aggregate();
        if (agg != null) {
          tiers.put(t, new BucketInvariantChecker("tier " + t, agg, start));
        }
      }
      if (g != null) {
        global = new BucketInvariantChecker("global", g, start);
      }
    }

    private Limit randomLimit() {
      long burst = 1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 200);
      Rate rate = switch (rnd.nextInt(5)) {
        case 0 -> Rate.parse(rnd.nextInt(1, 120) + "/min");
        case 1 -> Rate.perSecond(1 + rnd.nextInt(1_000_000));
        case 2 -> Rate.parse(rnd.nextInt(1, 1000) + "." + rnd.nextInt(10, 100));
        // Near the top, as a control loop computes them: rounded down to what a bucket enforces.
        case 3 -> Rate.atMost(1_000_000_000L - rnd.nextInt(1000), 1_000_000_000L);
        default -> Rate.perSecond(1 + rnd.nextInt(100));
      };
      return Limit.of(burst, rate);
    }

    private long randomGap(long interval) {
      return switch (rnd.nextInt(6)) {
        case 0 -> 0;
        case 1 -> rnd.nextLong(1 + interval * 5);
        case 2 -> rnd.nextLong(1 + Math.min(interval, 1_000_000_000L) * 50);
        default -> rnd.nextLong(1 + interval / 3);
      };
    }

    void go() {
      for (int i = 0; i < STEPS; i++) {
        clock.advance(gaps[i]);
        if (rnd.nextInt(200) == 0) {
          changeALimit();
        }
        String tier = TIERS[rnd.nextInt(TIERS.length)];
        String key = tier + "-" + rnd.nextInt(keys);
        int cost = rnd.nextInt(8) == 0 ? 1 + rnd.nextInt(300) : 1 + rnd.nextInt(3);
        decide(tier, key, cost);
      }
      ADMITTED.addAndGet(admittedSteps);
      DECIDED.addAndGet(STEPS);
    }

    private void decide(String tier, String key, int cost) {
      long now = clock.nanoTime();
      clients.computeIfAbsent(key, k -> new BucketInvariantChecker(
          "client " + k, limiter.spec().tiers().get(tier).perClient(), now));
      Decision d = limiter.tryAcquire(key, tier, cost);
      long minBurst = minBurst(tier);
      if (cost > minBurst) {
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo(Decision.Reason.COST_EXCEEDS_BURST);
        return;
      }
      if (!d.allowed()) {
        assertThat(d.retryAfterNanos()).isPositive();
        assertThat(d.remaining()).isNotNegative();
        return;
      }
      admittedSteps++;
      assertThat(d.remaining()).isNotNegative();
      clients.get(key).onAdmit(now, cost);
      BucketInvariantChecker t = tiers.get(tier);
      if (t != null) {
        t.onAdmit(now, cost);
      }
      if (global != null) {
        global.onAdmit(now, cost);
      }
    }

    private long minBurst(String tier) {
      LimiterSpec s = limiter.spec();
      long min = s.tiers().get(tier).perClient().burst();
      Limit agg = s.tiers().get(tier).aggregate();
      if (agg != null) {
        min = Math.min(min, agg.burst());
      }
      return s.global() == null ? min : Math.min(min, s.global().burst());
    }

    private void changeALimit() {
      long now = clock.nanoTime();
      String tier = TIERS[rnd.nextInt(TIERS.length)];
      Limit next = randomLimit();
      switch (rnd.nextInt(3)) {
        case 0 -> {
          limiter.setClientLimit(tier, next);
          for (Map.Entry<String, BucketInvariantChecker> e : clients.entrySet()) {
            if (e.getKey().startsWith(tier + "-")) {
              e.getValue().onLimitChange(now, next);
            }
          }
        }
        case 1 -> {
          Limit value = rnd.nextInt(5) == 0 ? null : next;
          limiter.setTierLimit(tier, value);
          BucketInvariantChecker c = tiers.get(tier);
          if (value == null) {
            tiers.remove(tier);
          } else if (c == null) {
            tiers.put(tier, new BucketInvariantChecker("tier " + tier, value, now));
          } else {
            c.onLimitChange(now, value);
          }
        }
        default -> {
          Limit value = rnd.nextInt(5) == 0 ? null : next;
          limiter.setGlobalLimit(value);
          if (value == null) {
            global = null;
          } else if (global == null) {
            global = new BucketInvariantChecker("global", value, now);
          } else {
            global.onLimitChange(now, value);
          }
        }
      }
      assertThat(List.of(limiter.spec().tiers().get(tier).perClient())).isNotEmpty();
    }
  }
}
