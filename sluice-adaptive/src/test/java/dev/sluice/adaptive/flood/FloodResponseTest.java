package dev.sluice.adaptive.flood;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FloodResponseTest {

  private static final long MS = 1_000_000L;

  private static FloodSettings settings(boolean byPrefix) {
    return new FloodSettings(true, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(10), 0.5, 0.2,
        Duration.ofSeconds(10), Duration.ofSeconds(30), byPrefix, 1 << 16, 0.05,
        FloodSettings.TierResponse.DEFAULTS, Map.of());
  }

  private static LimiterSpec spec() {
    return LimiterSpec.builder().tier("std", Limit.of(10, 5), Limit.of(100, 1000)).defaultTier("std").build();
  }

  /** One second of traffic: {@code legit} established requests and {@code bots} from new keys. */
  private static int[] second(FloodResponse r, Limiter main, ManualClock clock, int legit, int bots, int botBase) {
    int legitDenied = 0;
    int botAdmitted = 0;
    int n = legit + bots;
    int l = 0;
    for (int i = 0; i < n; i++) {
      clock.advance(1_000 * MS / n);
      boolean bot = (long) (i + 1) * legit / n == (long) i * legit / n;
      String key = bot ? "bot-" + (botBase + i) : "legit-" + (l++ % 600);
      int c = r.admit(key, "std", 1);
      boolean ok = c != FloodResponse.DENIED && main.tryConsume(key, "std", c);
      if (bot && ok) {
        botAdmitted++;
      }
      if (!bot && !ok) {
        legitDenied++;
      }
    }
    r.step(main.spec());
    return new int[] {legitDenied, botAdmitted};
  }

  @Test
  void aFloodCapsNewcomersToTheirShareAndRecoveryRampsBack() {
    ManualClock clock = new ManualClock();
    Limiter main = Limiter.create(spec(), clock);
    List<FloodEvent> log = new ArrayList<>();
    // the flood's events alone: without the spike and drift watch (the flood is a tier spike too)
    FloodResponse r = FloodResponse.create(settings(false), new WatchSettings(false, 10, 256, 4, 30),
        t -> dev.sluice.adaptive.anomaly.Baseline.ewma(0.1), spec(), clock, log::add);
    for (int s = 0; s < 60; s++) {
      second(r, main, clock, 600, 0, 0);
    }
    assertThat(r.gating("std")).isFalse();
    assertThat(r.score("std")).isZero();
    int[] first = second(r, main, clock, 600, 3000, 0);
    assertThat(r.score("std")).isEqualTo(1.0);
    assertThat(r.gating("std")).isTrue();
    assertThat(log).singleElement().satisfies(e -> {
      assertThat(e.kind()).isEqualTo("flood");
      assertThat(e.scope()).isEqualTo("tier:std");
      assertThat(e.open()).isTrue();
    });
    int legitDenied = 0;
    int botAdmitted = 0;
    for (int s = 0; s < 20; s++) {
      int[] x = second(r, main, clock, 600, 3000, (s + 1) * 10_000);
      legitDenied += x[0];
      botAdmitted += x[1];
    }
    assertThat(first[0]).isGreaterThan(0);
    // at most 1 % of the 12,000 legitimate requests (the first second drains the tier's burst)
    assertThat(legitDenied).as("legit denied in 20 s of flood").isLessThanOrEqualTo(120);
    assertThat(botAdmitted / 20.0).as("newcomers' rate").isBetween(150.0, 205.0);
    // the flood stops: the score falls, the share ramps back over 10 s, the event ends
    for (int s = 0; s < 12; s++) {
      second(r, main, clock, 600, 0, 0);
    }
    assertThat(r.gating("std")).isFalse();
    assertThat(r.events()).singleElement().satisfies(e -> {
      assertThat(e.open()).isFalse();
      assertThat(e.score()).isEqualTo(1.0);
      assertThat(e.endNanos()).isGreaterThan(e.startNanos());
    });
    assertThat(log).hasSize(2);
    assertThat(log.get(1).toJson(0)).contains("\"kind\":\"flood\"", "\"scope\":\"tier:std\"", "\"end\":\"1970-");
  }

  @Test
  void anOffenderPaysTheMultiplierWithASmallerBurstThenRecovers() {
    ManualClock clock = new ManualClock();
    Limiter main = Limiter.create(spec(), clock);
    FloodResponse r = FloodResponse.create(settings(false), spec(), clock, null);
    r.flag("mallory", "std", 0.9);
    r.step(main.spec());
    assertThat(r.multiplier("mallory", "std")).isEqualTo(3);
    assertThat(r.offenderScores()).containsEntry("mallory", 0.9);
    // burst 10 shrinks to 3 tokens: one request at x3 from its own gate bucket, then denied until
    // refilled; the main limiter charges the plain cost (the penalty does not drain shared levels)
    assertThat(r.admit("mallory", "std", 1)).isEqualTo(1);
    assertThat(r.admit("mallory", "std", 1)).isEqualTo(FloodResponse.DENIED);
    assertThat(r.admit("alice", "std", 1)).isEqualTo(1);
    clock.advance(Duration.ofMillis(600));
    assertThat(r.admit("mallory", "std", 1)).isEqualTo(1);
    assertThat(r.admit("mallory", "std", 1)).isEqualTo(FloodResponse.DENIED);
    // no flag for 10 s (the recovery): the multiplier ramps down to 1 and the offender is forgotten
    int last = 3;
    for (int s = 0; s < 10; s++) {
      clock.advance(Duration.ofSeconds(1));
      r.step(main.spec());
      int m = r.multiplier("mallory", "std");
      assertThat(m).isLessThanOrEqualTo(last);
      last = m;
    }
    assertThat(last).isEqualTo(1);
    assertThat(r.offenderScores()).isEmpty();
    assertThat(r.events()).singleElement().satisfies(e -> {
      assertThat(e.kind()).isEqualTo("flagged");
      assertThat(e.scope()).isEqualTo("client:mallory");
      assertThat(e.open()).isFalse();
    });
  }

  @Test
  void byPrefixOneNetworkGetsOneClientsLimit() {
    assertThat(NetworkPrefix.of("203.0.113.7")).isEqualTo("203.0.113.0/24");
    assertThat(NetworkPrefix.of("2001:db8:1:2345::1")).isEqualTo("2001:db8:1:2300::/56");
    assertThat(NetworkPrefix.of("alice")).isEqualTo("alice");
    ManualClock clock = new ManualClock();
    Limiter main = Limiter.create(spec(), clock);
    FloodResponse r = FloodResponse.create(settings(true), spec(), clock, null);
    for (int s = 0; s < 15; s++) {
      second(r, main, clock, 600, 0, 0);
    }
    // a flood from 3,000 addresses in 12 /24s: each network gets one client's burst of 10
    clock.advance(Duration.ofSeconds(1));
    for (int i = 0; i < 3000; i++) {
      r.admit("198.51." + (i / 250) + "." + (i % 250), "std", 1);
    }
    for (int i = 0; i < 600; i++) {
      r.admit("legit-" + i, "std", 1);
    }
    r.step(main.spec());
    assertThat(r.gating("std")).isTrue();
    int admitted = 0;
    for (int i = 0; i < 250; i++) {
      if (r.admit("198.51.200." + i, "std", 1) != FloodResponse.DENIED) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(10);
  }
}
