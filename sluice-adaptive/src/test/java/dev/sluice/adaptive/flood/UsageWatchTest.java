package dev.sluice.adaptive.flood;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The spike and drift watch of {@link FloodResponse} on the manual clock: Poisson traffic of 250
 * light clients (2/s each, below the tracking share) and heavy keys, one second per window, drift intervals of 10 windows.
 */
class UsageWatchTest {

  private static final long SECOND = 1_000_000_000L;
  private static final int LIGHT = 250;

  static FloodSettings settings() {
    return new FloodSettings(true, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(10), 0.5, 0.2,
        Duration.ofSeconds(10), Duration.ofSeconds(30), false, 1 << 16, 0.05,
        FloodSettings.TierResponse.DEFAULTS, Map.of());
  }

  static LimiterSpec spec() {
    return LimiterSpec.builder().tier("std", Limit.of(1000, 1000), Limit.of(4000, 4000)).defaultTier("std").build();
  }

  /** A run: the response, its clock, the events it opened, its random stream. */
  static final class Run {
    final ManualClock clock = new ManualClock();
    final List<FloodEvent> opened = new ArrayList<>();
    final FloodResponse response;
    final SplittableRandom rng;
    int denied;
    int windows;

    Run(long seed, WatchSettings watch) {
      clock.set(seed % 2 == 1 ? Long.MAX_VALUE / 2 + seed * 7_919 : seed * 1_000_003L);
      response = FloodResponse.create(settings(), watch, t -> dev.sluice.adaptive.anomaly.Baseline.ewma(0.1), spec(),
          clock, e -> {
            if (e.open()) {
              opened.add(e);
            }
          });
      rng = new SplittableRandom(seed);
    }

    /** One second: the light clients at 2/s each, then {@code heavy[i]} requests from key {@code hot-i}. */
    void second(double... heavy) {
      second(true, heavy);
    }

    /** One second, Poisson counts or (not {@code random}) exactly the means. */
    void second(boolean random, double... heavy) {
      for (int c = 0; c < LIGHT; c++) {
        send("light-" + c, random ? poisson(rng, 2) : 2);
      }
      for (int i = 0; i < heavy.length; i++) {
        send("hot-" + i, random ? poisson(rng, heavy[i]) : Math.round(heavy[i]));
      }
      clock.advance(SECOND);
      response.step(spec());
      windows++;
    }

    int clockWindows() {
      return windows;
    }

    void send(String key, long n) {
      for (long k = 0; k < n; k++) {
        if (response.admit(key, "std", 1) == FloodResponse.DENIED) {
          denied++;
        }
      }
    }

    List<FloodEvent> flags(String scope) {
      return opened.stream().filter(e -> e.scope().equals(scope)).toList();
    }

    List<FloodEvent> events(String kind, String scope) {
      return opened.stream().filter(e -> e.kind().equals(kind) && e.scope().equals(scope)).toList();
    }
  }

  /** A Poisson draw (Knuth below 30, a rounded normal above). */
  static long poisson(SplittableRandom rng, double mean) {
    if (mean <= 0) {
      return 0;
    }
    if (mean >= 30) {
      double u1 = 1 - rng.nextDouble();
      double g = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.nextDouble());
      return Math.max(0, Math.round(mean + Math.sqrt(mean) * g));
    }
    double l = Math.exp(-mean);
    long k = 0;
    double p = 1;
    do {
      k++;
      p *= rng.nextDouble();
    } while (p > l);
    return k - 1;
  }

  @Test
  void aTenantRampingTenfoldOverAnHourIsFlaggedBeforeItDoubles() {
    double worst = 0;
    double sum = 0;
    int seeds = 10;
    Map<String, Integer> kinds = new java.util.TreeMap<>();
    for (long seed = 0; seed < seeds; seed++) {
      Run r = new Run(seed, WatchSettings.DEFAULTS);
      double base = 50;
      for (int s = 0; s < 600; s++) {
        r.second(base);
      }
      assertThat(r.opened).as("seed %d: steady part", seed).filteredOn(e -> e.scope().startsWith("client:")).isEmpty();
      double rate = base;
      int s = 0;
      while (r.flags("client:hot-0").isEmpty() && s < 3600) {
        rate = base * (1 + 9.0 * s / 3600);
        r.second(rate);
        s++;
      }
      assertThat(r.flags("client:hot-0")).as("seed %d", seed).hasSize(1);
      kinds.merge(r.flags("client:hot-0").get(0).kind(), 1, Integer::sum);
      double multiple = rate / base;
      worst = Math.max(worst, multiple);
      sum += multiple;
      assertThat(multiple).as("seed %d: the tenant's multiple when flagged", seed).isLessThan(2);
      // the offender response applies: the tenant pays x3 from its own bucket
      assertThat(r.response.multiplier("hot-0", "std")).isEqualTo(3);
      assertThat(r.response.multiplier("light-1", "std")).isEqualTo(1);
      assertThat(r.response.anomalyScore("hot-0", "std")).isGreaterThanOrEqualTo(0.5);
    }
    System.out.printf("drift: flagged at x%.3f on average, worst x%.3f, %d seeds, by %s%n", sum / seeds, worst, seeds,
        kinds);
  }

  @Test
  void aFiveSigmaSpikeOfAWatchedClientIsFlaggedWithinOneIntervalAndRecovers() {
    int caught = 0;
    int seeds = 100;
    double mean = 40;
    for (long seed = 0; seed < seeds; seed++) {
      Run r = new Run(seed, WatchSettings.DEFAULTS);
      for (int s = 0; s < 1500; s++) {
        r.second(mean);
      }
      assertThat(r.opened).filteredOn(e -> e.scope().startsWith("client:")).isEmpty();
      // one interval (10 s) 5 sigma above: the client's 400 against the rest's 5,000 is a ratio of
      // 0.08 with sigma 0.08 * sqrt(1/400 + 1/5000) = 0.00416, so 104 more requests; the rest of the
      // traffic exactly at its means
      while (r.clockWindows() % 10 != 0) {
        r.second(mean);
      }
      for (int s = 0; s < 10; s++) {
        r.second(false, mean + 10.4);
      }
      if (!r.events("spike", "client:hot-0").isEmpty()) {
        caught++;
        assertThat(r.response.multiplier("hot-0", "std")).isEqualTo(3);
        // recovery (traffic at its means): the score falls within a few intervals (the spike's at
        // the next, the drift tests' sums as they drain; a latch of 30 intervals when the spike
        // tipped one over), then the multiplier ramps back over 10 s
        int waited = 0;
        while (r.response.anomalyScore("hot-0", "std") >= 0.2 && waited < 400) {
          r.second(false, mean);
          waited++;
        }
        for (int s = 0; s < 12; s++) {
          r.second(false, mean);
        }
        assertThat(r.response.multiplier("hot-0", "std")).as("seed %d: %s", seed, r.response.events()).isEqualTo(1);
        assertThat(r.response.events()).filteredOn(e -> e.scope().equals("client:hot-0"))
            .allMatch(e -> !e.open());
      }
    }
    System.out.printf("spike: %d / %d seeds flagged within the interval%n", caught, seeds);
    assertThat(caught).isGreaterThanOrEqualTo(seeds * 95 / 100);
  }

  @Test
  void aFiveSigmaSpikeOfATierIsAnAlertInItsOwnWindow() {
    int caught = 0;
    int seeds = 200;
    for (long seed = 0; seed < seeds; seed++) {
      Run r = new Run(seed, WatchSettings.DEFAULTS);
      for (int s = 0; s < 200; s++) {
        r.second();
      }
      // the tier's 500/s (sigma about 22): a window 5 sigma above, 500 + 112 requests
      for (int i = 0; i < 112; i++) {
        r.send("once-" + i, 1);
      }
      r.second(false);
      List<FloodEvent> e = r.events("spike", "tier:std");
      if (!e.isEmpty()) {
        caught++;
        assertThat(e.get(0).action()).isEqualTo("alert");
      }
    }
    System.out.printf("tier spike: %d / %d seeds in its window%n", caught, seeds);
    assertThat(caught).isGreaterThanOrEqualTo(seeds * 95 / 100);
  }

  @Test
  void steadyPoissonTrafficRaisesNoFlag() {
    int seeds = 20;
    int flags = 0;
    int alerts = 0;
    for (long seed = 0; seed < seeds; seed++) {
      Run r = new Run(seed, WatchSettings.DEFAULTS);
      for (int s = 0; s < 3600; s++) {
        r.second(60, 30, 20);
      }
      flags += (int) r.opened.stream().filter(e -> e.scope().startsWith("client:")).count();
      alerts += (int) r.opened.stream().filter(e -> e.scope().startsWith("tier:")).count();
      assertThat(r.response.watchedScores().keySet()).containsExactlyInAnyOrder("hot-0", "hot-1", "hot-2");
    }
    System.out.printf("steady: %d client flags and %d tier alerts in %d hours%n", flags, alerts, seeds);
    // the false-alarm bounds: at most 2 client flags (3 watched clients, 360 intervals an hour) and
    // 15 tier alerts (a spike test every 1 s window at 4 sigma) in 20 hours of steady traffic
    assertThat(flags).isLessThanOrEqualTo(2);
    assertThat(alerts).isLessThanOrEqualTo(15);
  }

  @Test
  void badWatchSettingsAreRefusedByName() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new WatchSettings(true, 0, 256, 4, 30))
        .hasMessage("adaptive.anomaly.watch.interval: 0 (expected: >= 1 and <= 3600)");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new WatchSettings(true, 10, 256, 0.5, 30))
        .hasMessage("adaptive.anomaly.watch.spike-sigma: 0.5 (expected: >= 1 and <= 20)");
  }

  @Test
  void watchedClientsStayBoundedAndLeaveWhenTheyGoQuiet() {
    Run r = new Run(1, new WatchSettings(true, 10, 8, 4, 30));
    int most = 0;
    for (int s = 0; s < 600; s++) {
      // every minute a new set of 20 heavy keys
      double[] heavy = new double[20];
      java.util.Arrays.fill(heavy, 0);
      int set = s / 60;
      for (int i = 0; i < 20; i++) {
        r.send("set" + set + "-" + i, poisson(r.rng, 30));
      }
      r.second(heavy);
      most = Math.max(most, r.response.watchedScores().size());
    }
    assertThat(most).isEqualTo(8);
    // after a quiet minute the last set leaves the watch
    for (int s = 0; s < 70; s++) {
      r.second();
    }
    assertThat(r.response.watchedScores()).isEmpty();
  }
}
