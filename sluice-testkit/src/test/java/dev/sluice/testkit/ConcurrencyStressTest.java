package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Decision;
import dev.sluice.core.LevelState;
import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.Rate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two (or three) threads deciding at once on a {@link TickingClock}; every admission is recorded
 * with the instant its decision read, and the merged history goes through the invariant checker.
 */
class ConcurrencyStressTest {

  private static final int PER_THREAD = 200_000;

  /** One admitted decision: the instant it read, a clock reading after it returned, client, cost. */
  record Admission(long at, long after, int client, int cost, Limit limit) {}

  /** One limit change, which took effect somewhere in [from, to]. */
  record Change(long from, long to, Limit previous, Limit limit) {}

  private static Limit union(Limit a, Limit b) {
    return Limit.of(Math.max(a.burst(), b.burst()), a.rate().compareTo(b.rate()) >= 0 ? a.rate() : b.rate());
  }

  static List<Admission> hammer(Limiter limiter, TickingClock clock, int thread, int clients, int maxCost) {
    SplittableRandom rnd = new SplittableRandom(1000 + thread);
    List<Admission> out = new ArrayList<>();
    for (int i = 0; i < PER_THREAD; i++) {
      int client = rnd.nextInt(clients);
      int cost = 1 + rnd.nextInt(maxCost);
      clock.mark();
      Decision d = limiter.tryAcquire("c" + client, cost);
      if (d.allowed()) {
        long at = clock.firstReadSinceMark();
        out.add(new Admission(at, clock.nanoTime(), client, cost, d.limit()));
      }
    }
    return out;
  }

  static List<Admission> runThreads(int threads, java.util.function.IntFunction<List<Admission>> body)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Future<List<Admission>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          return body.apply(id);
        }));
      }
      List<Admission> all = new ArrayList<>();
      for (Future<List<Admission>> f : futures) {
        all.addAll(f.get(2, TimeUnit.MINUTES));
      }
      all.sort((a, b) -> Long.compare(a.at(), b.at()));
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void oneHotKeyTwoThreads() throws Exception {
    TickingClock clock = new TickingClock(Long.MAX_VALUE / 3, 97);
    Limit limit = Limit.of(50, 1_000_000); // refills a token every 1000 ns, ~10 reads
    Limiter limiter = Limiter.create(LimiterSpec.builder().tier("t", limit).build(), clock);
    List<Admission> admitted = runThreads(2, t -> hammer(limiter, clock, t, 1, 3));
    BucketInvariantChecker checker = new BucketInvariantChecker("hot", limit, Long.MAX_VALUE / 3);
    admitted.forEach(a -> checker.onAdmit(a.at(), a.cost()));
    assertThat(checker.events()).isBetween(1_000L, 2L * PER_THREAD - 1_000);
  }

  @Test
  void manyKeysWithTierAndGlobalTwoThreads() throws Exception {
    long start = -7_000_000_000_000L;
    TickingClock clock = new TickingClock(start, 13);
    Limit perClient = Limit.of(20, 20_000);
    Limit tier = Limit.of(400, 2_000_000);
    Limit global = Limit.of(500, 2_500_000); // 400 ns per token (3e6/s would round by 0.2 %: rejected)
    Limiter limiter = Limiter.create(
        LimiterSpec.builder().tier("t", perClient, tier).global(global).build(), clock);
    List<Admission> admitted = runThreads(2, t -> hammer(limiter, clock, t, 64, 4));
    Map<Integer, BucketInvariantChecker> clients = new HashMap<>();
    BucketInvariantChecker tierChecker = new BucketInvariantChecker("tier", tier, start);
    BucketInvariantChecker globalChecker = new BucketInvariantChecker("global", global, start);
    for (Admission a : admitted) {
      clients.computeIfAbsent(a.client(), c -> new BucketInvariantChecker("client " + c, perClient, start))
          .onAdmit(a.at(), a.cost());
      tierChecker.onAdmit(a.at(), a.cost());
      globalChecker.onAdmit(a.at(), a.cost());
    }
    assertThat(clients).hasSize(64);
    assertThat(globalChecker.events()).isGreaterThan(1_000);
  }

  @Test
  void forgettingFullBucketsWhileTwoThreadsDecideIsExact() throws Exception {
    // Buckets refill within ~500 ns and the idle sweep runs every microsecond of clock time, so
    // buckets are retired and recreated constantly while the other thread is using them.
    long start = 77;
    TickingClock clock = new TickingClock(start, 13);
    Limit perClient = Limit.of(5, 10_000_000);
    Limiter limiter = Limiter.create(LimiterSpec.builder().tier("t", perClient)
        .idleExpiry(java.time.Duration.ofNanos(1_000)).build(), clock);
    List<Admission> admitted = runThreads(2, t -> hammer(limiter, clock, t, 8, 2));
    BucketInvariantChecker[] checkers = new BucketInvariantChecker[8];
    Arrays.setAll(checkers, c -> new BucketInvariantChecker("client " + c, perClient, start));
    admitted.forEach(a -> checkers[a.client()].onAdmit(a.at(), a.cost()));
    assertThat(Arrays.stream(checkers).mapToLong(BucketInvariantChecker::events).sum()).isGreaterThan(10_000);
  }

  @Test
  void hierarchyIsAllOrNothingUnderContention() throws Exception {
    // Refill is 1 per hour, the clock moves 1 ns per read: no token comes back during the test,
    // so every bucket's tokens must equal its burst minus exactly what was admitted through it.
    TickingClock clock = new TickingClock(0, 1);
    Rate slow = Rate.parse("1/h");
    Limiter limiter = Limiter.create(LimiterSpec.builder()
        .tier("t", Limit.of(400, slow), Limit.of(6_000, slow))
        .global(Limit.of(5_000, slow))
        .build(), clock);
    List<Admission> admitted = runThreads(2, t -> hammer(limiter, clock, t, 32, 5));
    long[] perClient = new long[32];
    long total = 0;
    for (Admission a : admitted) {
      perClient[a.client()] += a.cost();
      total += a.cost();
    }
    assertThat(total).isBetween(5_000L - 4, 5_000L); // the global level ran dry
    for (int c = 0; c < 32; c++) {
      List<LevelState> levels = limiter.levels("c" + c, "t");
      assertThat(levels.get(0).tokens()).as("client %d", c).isEqualTo(400 - perClient[c]);
      assertThat(levels.get(1).tokens()).isEqualTo(6_000 - total);
      assertThat(levels.get(2).tokens()).isEqualTo(5_000 - total);
    }
  }

  /**
   * Applies 2,000 limits drawn from {@code limits} (seeded) with {@code apply}, a few spins apart,
   * recording each change's clock window and limits in {@code changes}.
   */
  static void changeLimits(TickingClock clock, Limit[] limits, List<Change> changes,
      java.util.function.Consumer<Limit> apply) {
    SplittableRandom rnd = new SplittableRandom(7);
    Limit current = limits[0];
    for (int i = 0; i < 2_000; i++) {
      Limit next = limits[rnd.nextInt(limits.length)];
      long from = clock.nanoTime();
      apply.accept(next);
      long to = clock.nanoTime();
      synchronized (changes) {
        changes.add(new Change(from, to, current, next));
      }
      current = next;
      for (int spin = rnd.nextInt(200); spin > 0; spin--) {
        Thread.onSpinWait();
      }
    }
  }

  @Test
  void reconfigurationWhileTwoThreadsDecide() throws Exception {
    long start = 42;
    TickingClock clock = new TickingClock(start, 11);
    Limit[] limits = {Limit.of(30, 500_000), Limit.of(5, 2_000_000), Limit.of(100, 50_000), Limit.of(1, 10_000_000)};
    Limiter limiter = Limiter.create(LimiterSpec.builder().tier("t", limits[0]).build(), clock);
    List<Change> changes = new ArrayList<>();
    List<Admission> admitted = runThreads(3, t -> {
      if (t < 2) {
        return hammer(limiter, clock, t, 4, 2);
      }
      changeLimits(clock, limits, changes, next -> limiter.setClientLimit("t", next));
      return List.of();
    });
    Limit last = changes.get(changes.size() - 1).limit();
    for (int c = 0; c < 4; c++) {
      assertThat(limiter.levels("c" + c, "t").get(0).limit()).as("client %d", c).isEqualTo(last);
    }
    BucketInvariantChecker[] checkers = checkHistory(admitted, changes, 4, limits[0], start);
    assertThat(changes).hasSize(2_000);
    assertThat(Arrays.stream(checkers).mapToLong(BucketInvariantChecker::events).sum()).isGreaterThan(1_000);
  }

  @Test
  void theHistoryCheckerCreditsANewLimitOnlyToCallsRunningWhenItsChangeBegan() {
    // Burst 1 -> 10 (no refill to speak of), changed in [1_000, 1_010]. A decision that read the
    // clock at 200 and took 5 tokens may have used the new burst only if its call was still running
    // at 1_000: the admission stays at its own instant, and the change's span reaches back to it.
    Rate slow = Rate.parse("1/h");
    Limit small = Limit.of(1, slow);
    Limit large = Limit.of(10, slow);
    List<Change> changes = List.of(new Change(1_000, 1_010, small, large));
    Admission first = new Admission(100, 110, 0, 1, small);
    List<Admission> overlapping = List.of(first, new Admission(200, 1_005, 0, 5, large));
    assertThat(checkHistory(overlapping, changes, 1, small, 0)[0].admitted()).isEqualTo(6);
    // The same admission from a call that returned at 900, before the change began: 6 tokens
    // against a burst of 1 is an over-admission, and there is no slack to hide it.
    List<Admission> before = List.of(first, new Admission(200, 900, 0, 5, large));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> checkHistory(before, changes, 1, small, 0))
        .isInstanceOf(AssertionError.class).hasMessageContaining("client 0 over-admitted by 5.0");
  }

  /**
   * Checks each client's bucket in a history of admissions (sorted by instant) and limit changes
   * against the union-of-limits bound; returns the checkers.
   */
  static BucketInvariantChecker[] checkHistory(
      List<Admission> admitted, List<Change> changes, int clients, Limit initial, long start) {
    // Merge admissions and changes in time order and check each client's bucket. A change takes
    // effect at some instant inside [from, to] (each bucket switches when the reconfiguration
    // reaches it), and a decision that read the clock before `from` but was still running then
    // may have used the new limit: from the earliest such reading to `to`, the checker allows the
    // larger of the two rates (and the bursts' increase, see below). No slack: a decision whose
    // instant precedes its bucket's rescale now counts the gap at the previous limit's pace
    // (GcraBucket#tryConsume); it used to count it at the new one, which over-admitted when the
    // capacity grew (ReconfigurationInterleavingTest replays such interleavings deterministically).
    long longest = admitted.stream().mapToLong(a -> a.after() - a.at()).max().orElse(0);
    long[] starts = admitted.stream().mapToLong(Admission::at).toArray();
    List<long[]> events = new ArrayList<>(); // {time, kind 0=union 1=new 2=admit, index}
    for (int i = 0; i < changes.size(); i++) {
      long from = changes.get(i).from();
      long unionFrom = from;
      int first = Arrays.binarySearch(starts, from);
      for (int j = (first < 0 ? -first - 1 : first) - 1; j >= 0 && starts[j] >= from - longest; j--) {
        if (admitted.get(j).after() >= from) {
          unionFrom = Math.min(unionFrom, starts[j]);
        }
      }
      events.add(new long[] {unionFrom, 0, i});
      events.add(new long[] {changes.get(i).to(), 1, i});
    }
    for (int i = 0; i < admitted.size(); i++) {
      events.add(new long[] {admitted.get(i).at(), 2, i});
    }
    events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    BucketInvariantChecker[] checkers = new BucketInvariantChecker[clients];
    Arrays.setAll(checkers, c -> new BucketInvariantChecker("client " + c, initial, start));
    // Spans of consecutive changes may overlap once extended. The rate in force is the largest of
    // the last settled limit and every change still in its span. The burst a window starting now
    // may count on is the settled burst plus the increase of every open change (any of them may
    // still take effect inside the window): the largest burst alone is not enough, since changes
    // 30 -> 1 -> 30 whose spans overlap allow 30 + 29 (the bucket refills at the interim limit's
    // burst and pace, and the carry-over back to 30 keeps its fraction full).
    Limit settled = initial;
    List<Change> open = new ArrayList<>();
    for (long[] e : events) {
      if (e[1] == 2) {
        Admission a = admitted.get((int) e[2]);
        checkers[a.client()].onAdmit(a.at(), a.cost());
        continue;
      }
      Change c = changes.get((int) e[2]);
      if (e[1] == 0) {
        open.add(c);
      } else {
        open.remove(c);
        settled = c.limit();
      }
      Limit fastest = settled;
      long burst = settled.burst();
      for (Change o : open) {
        fastest = union(union(fastest, o.previous()), o.limit());
        burst += Math.max(0, o.limit().burst() - o.previous().burst());
      }
      Limit limit = Limit.of(burst, fastest.rate());
      for (BucketInvariantChecker checker : checkers) {
        checker.onLimitChange(e[0], limit);
      }
    }
    return checkers;
  }
}
