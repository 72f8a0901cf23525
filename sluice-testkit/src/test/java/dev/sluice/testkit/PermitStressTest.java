package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.AggregateLevels;
import dev.sluice.core.Decision;
import dev.sluice.core.InFlight;
import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two threads take, release, release twice and abandon permits of a global and a tier concurrency
 * level on a {@link TickingClock}, with a permit timeout short enough that permits expire while
 * held. Checked afterwards: at no instant did the permits known to be live hold more than a
 * level's maximum, and every permit was released or expired exactly once.
 */
class PermitStressTest {

  private static final int PER_THREAD = 100_000;
  private static final long GLOBAL_MAX = 16;
  private static final long TIER_MAX = 10;
  private static final long TIMEOUT = 20_000; // clock nanoseconds: under 3,000 clock reads

  /**
   * One admitted permit. It was certainly out from {@code from} (a clock read after admission) to
   * {@code to}: a clock read before the release that freed it, or, if it expired, its deadline
   * minus 1 (a sweep frees it only after reading a time at or past the deadline).
   */
  private record Permit(long handle, boolean tierA, int cost, long from, long deadline, long releasedBefore) {
    long to() {
      return releasedBefore >= 0 ? releasedBefore : deadline - 1;
    }
  }

  /** What one thread saw; late releases are those that lost to expiry. */
  private record Outcome(List<Permit> permits, long denied, long lateReleases, long abandoned) {}

  @Test
  void neverMoreThanTheLimitInFlightAndEveryPermitEndsExactlyOnce() throws Exception {
    long start = 1_000_000;
    TickingClock clock = new TickingClock(start, 7);
    Limit plenty = Limit.of(1_000_000_000L, 1_000_000_000L);
    Limiter limiter = Limiter.create(LimiterSpec.builder()
        .tier("a", plenty, null, TIER_MAX)
        .tier("b", plenty)
        .concurrency(GLOBAL_MAX)
        .permitTimeout(Duration.ofNanos(TIMEOUT))
        .build(), clock);

    List<Outcome> outcomes = runTwoThreads(t -> hammer(limiter, clock, t));

    clock.advance(2 * TIMEOUT);
    limiter.expirePermits();
    List<Permit> all = new ArrayList<>();
    long denied = 0;
    long abandoned = 0;
    for (Outcome o : outcomes) {
      all.addAll(o.permits());
      denied += o.denied();
      abandoned += o.abandoned();
    }
    Set<Long> handles = new HashSet<>();
    all.forEach(p -> handles.add(p.handle()));
    assertThat(handles).as("handles are unique").hasSize(all.size());
    assertThat(all.size()).isGreaterThan(10_000);
    assertThat(denied).isPositive();
    assertThat(abandoned).isPositive();

    // Exactly once: every permit not released by its holder expired, once, and nothing is left out.
    long released = all.stream().filter(p -> p.releasedBefore() >= 0).count();
    assertThat(limiter.expiredPermits()).isEqualTo(all.size() - released);
    AggregateLevels levels = limiter.aggregateLevels();
    assertThat(levels.globalInFlight()).isEqualTo(new InFlight(0, GLOBAL_MAX));
    assertThat(levels.tierInFlight("a")).isEqualTo(new InFlight(0, TIER_MAX));
    assertThat(levels.tierInFlight("b")).isNull();

    // Never more than the limit: sweep the intervals in which each permit was certainly out.
    assertThat(peak(all, false)).isLessThanOrEqualTo(GLOBAL_MAX);
    assertThat(peak(all, true)).isLessThanOrEqualTo(TIER_MAX);
  }

  @Test
  void aReleaseRacingExpiryFreesEachPermitOnce() throws Exception {
    ManualClock clock = new ManualClock();
    Limiter limiter = Limiter.create(LimiterSpec.builder()
        .tier("t", Limit.of(1_000_000_000L, 1_000_000_000L), null, 64)
        .concurrency(64)
        .permitTimeout(Duration.ofNanos(1_000))
        .build(), clock);
    int rounds = 3_000;
    int perRound = 32;
    long[] permits = new long[perRound];
    long[] released = new long[1];
    CyclicBarrier go = new CyclicBarrier(2);
    CyclicBarrier done = new CyclicBarrier(2);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> expirer = pool.submit(() -> {
        for (int r = 0; r < rounds; r++) {
          go.await(10, TimeUnit.SECONDS);
          limiter.expirePermits();
          done.await(10, TimeUnit.SECONDS);
        }
        return null;
      });
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < perRound; i++) {
          permits[i] = limiter.tryAcquire("k", 1).permit();
          assertThat(permits[i]).isPositive();
        }
        clock.advance(1_000); // every permit is due: the release and the sweep race for each
        go.await(10, TimeUnit.SECONDS);
        for (int i = perRound - 1; i >= 0; i--) {
          released[0] += limiter.release(permits[i]) ? 1 : 0;
        }
        done.await(10, TimeUnit.SECONDS);
        long freed = released[0] + limiter.expiredPermits();
        assertThat(freed).as("round %d", r).isEqualTo((long) (r + 1) * perRound);
        assertThat(limiter.aggregateLevels().globalInFlight().cost()).as("round %d", r).isZero();
      }
      expirer.get(1, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }
    assertThat(released[0]).isPositive();
    assertThat(limiter.expiredPermits()).isPositive();
  }

  private static Outcome hammer(Limiter limiter, TickingClock clock, int thread) {
    SplittableRandom rnd = new SplittableRandom(4242 + thread);
    List<Permit> done = new ArrayList<>();
    List<Permit> held = new ArrayList<>();
    long denied = 0;
    long late = 0;
    long abandoned = 0;
    for (int i = 0; i < PER_THREAD; i++) {
      if (held.size() < 8 && rnd.nextInt(10) < 6) {
        boolean tierA = rnd.nextBoolean();
        int cost = 1 + rnd.nextInt(3);
        clock.mark();
        Decision d = limiter.tryAcquire("c" + rnd.nextInt(50), tierA ? "a" : "b", cost);
        long at = clock.firstReadSinceMark();
        long after = clock.nanoTime();
        if (d.allowed()) {
          assertThat(d.permit()).isPositive();
          held.add(new Permit(d.permit(), tierA, cost, after, at + TIMEOUT, -1));
        } else {
          assertThat(d.reason()).isEqualTo(Decision.Reason.IN_FLIGHT);
          assertThat(d.permit()).isZero();
          denied++;
        }
      } else if (!held.isEmpty()) {
        Permit p = held.remove(rnd.nextInt(held.size()));
        if (rnd.nextInt(1_000) < 2) {
          abandoned++; // a crashed caller: only expiry can free it
          done.add(p);
          continue;
        }
        long before = clock.nanoTime();
        boolean ok = limiter.release(p.handle());
        if (ok) {
          done.add(new Permit(p.handle(), p.tierA(), p.cost(), p.from(), p.deadline(), before));
          if (rnd.nextInt(10) == 0) {
            assertThat(limiter.release(p.handle())).as("second release").isFalse();
          }
        } else {
          // Only a permit past its deadline may have expired: the sweep read a time at or past it
          // before it freed the permit, so before this thread's next read.
          assertThat(clock.nanoTime()).as("release failed before the deadline").isGreaterThanOrEqualTo(p.deadline());
          late++;
          done.add(p);
        }
      }
      if ((i & 255) == 0) {
        AggregateLevels levels = limiter.aggregateLevels();
        assertThat(levels.globalInFlight().cost()).isBetween(0L, GLOBAL_MAX);
        assertThat(levels.tierInFlight("a").cost()).isBetween(0L, TIER_MAX);
      }
    }
    done.addAll(held); // still held at the end: they expire
    return new Outcome(done, denied, late, held.size() + abandoned);
  }

  /** Returns the most cost certainly out at one instant, over all permits or tier "a"'s only. */
  private static long peak(List<Permit> permits, boolean tierAOnly) {
    List<long[]> events = new ArrayList<>(); // {time, +cost at start / -cost after end}
    for (Permit p : permits) {
      if (tierAOnly && !p.tierA() || p.to() < p.from()) {
        continue;
      }
      events.add(new long[] {p.from(), p.cost()});
      events.add(new long[] {p.to(), -p.cost()});
    }
    // Intervals are closed: at equal times, starts count before ends.
    events.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(y[1], x[1]));
    long live = 0;
    long peak = 0;
    for (long[] e : events) {
      live += e[1];
      peak = Math.max(peak, live);
    }
    assertThat(live).isZero();
    return peak;
  }

  private static List<Outcome> runTwoThreads(java.util.function.IntFunction<Outcome> body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CyclicBarrier start = new CyclicBarrier(2);
      List<Future<Outcome>> futures = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int id = t;
        futures.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          return body.apply(id);
        }));
      }
      List<Outcome> out = new ArrayList<>();
      for (Future<Outcome> f : futures) {
        out.add(f.get(2, TimeUnit.MINUTES));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
