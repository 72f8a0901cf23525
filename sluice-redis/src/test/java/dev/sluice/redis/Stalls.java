package dev.sluice.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Where a benchmark cell stood still, for {@link RedisBench}: each driver thread records its gaps
 * between two consecutive decision starts of at least {@link #THRESHOLD_NANOS} (a fixed array, no
 * allocation per decision); {@link #summary} intersects them into the intervals during which no
 * driver thread of the cell started a decision (nobody asked, so a saturated bucket in Redis filled
 * up unclaimed), and sets them beside the oversleeps of a platform watchdog thread that parks for
 * 1 ms in a loop. A stall seen by the watchdog too is the whole process (GC, safepoint, the OS or
 * the VM not running it); one seen only by the virtual driver threads is their scheduler.
 */
final class Stalls {

  /** Gaps shorter than this are not recorded. */
  static final long THRESHOLD_NANOS = 20_000_000;
  private static final int CAPACITY = 256;

  private final long[] from = new long[CAPACITY];
  private final long[] to = new long[CAPACITY];
  private int count;

  /** Records the gap {@code [prev, now]} when it is at least the threshold (drops it when full). */
  void gap(long prev, long now) {
    if (now - prev >= THRESHOLD_NANOS && count < CAPACITY) {
      from[count] = prev;
      to[count++] = now;
    }
  }

  /** A platform thread that parks 1 ms in a loop and records each wake-up later than the threshold. */
  static final class Watchdog {
    private final Stalls stalls = new Stalls();
    private final Thread thread;
    private volatile boolean stop;

    Watchdog(dev.sluice.core.Clock clock) {
      thread = Thread.ofPlatform().daemon().name("bench-watchdog").start(() -> {
        long prev = clock.nanoTime();
        while (!stop) {
          LockSupport.parkNanos(1_000_000);
          long now = clock.nanoTime();
          stalls.gap(prev, now);
          prev = now;
        }
      });
    }

    /** Stops the watchdog and waits for its thread to end. */
    void close() throws InterruptedException {
      stop = true;
      thread.join();
    }
  }

  /**
   * Returns one line: the intervals (at least the threshold long) during which none of
   * {@code threads} started a decision, the longest with its offset from {@code start}, their total,
   * and the watchdog's longest oversleep.
   */
  static String summary(List<Stalls> threads, Watchdog watchdog, long start) {
    List<long[]> idle = null;
    for (Stalls s : threads) {
      List<long[]> mine = new ArrayList<>();
      for (int i = 0; i < s.count; i++) {
        mine.add(new long[] {s.from[i], s.to[i]});
      }
      idle = idle == null ? mine : intersect(idle, mine);
    }
    idle = idle == null ? List.of() : idle;
    long total = 0;
    long[] longest = null;
    int n = 0;
    for (long[] iv : idle) {
      if (iv[1] - iv[0] >= THRESHOLD_NANOS) {
        n++;
        total += iv[1] - iv[0];
        if (longest == null || iv[1] - iv[0] > longest[1] - longest[0]) {
          longest = iv;
        }
      }
    }
    long[] dog = null;
    Stalls w = watchdog.stalls;
    for (int i = 0; i < w.count; i++) {
      if (dog == null || w.to[i] - w.from[i] > dog[1] - dog[0]) {
        dog = new long[] {w.from[i], w.to[i]};
      }
    }
    return String.format(Locale.ROOT, "no driver thread started a decision for >= 20 ms %d times, %.1f ms in all%s;"
        + " platform watchdog (1 ms park) longest gap %s",
        n, total / 1e6, longest == null ? "" : String.format(Locale.ROOT, ", longest %.1f ms at +%.3f s",
            (longest[1] - longest[0]) / 1e6, (longest[0] - start) / 1e9),
        dog == null ? "< 20 ms" : String.format(Locale.ROOT, "%.1f ms at +%.3f s", (dog[1] - dog[0]) / 1e6,
            (dog[0] - start) / 1e9));
  }

  /**
   * The global lease's counters over a saturated cell's measured run: tokens granted to the lease,
   * leased and Redis decisions, and how long the bucket sat full in Redis between two top-up replies
   * in the run (from each reply's store time and remaining debt: its refill spilled over, unclaimed,
   * about {@code R} tokens per second of it; an upper bound on one node, since decisions made in
   * Redis between two replies are not counted).
   */
  static final class FullWatch {
    private final RedisBucketStore store;
    private final long tokens0;
    private final long leased0;
    private final long redis0;
    private final long full0;

    FullWatch(RedisBucketStore store) {
      this.store = store;
      tokens0 = store.globalLeaseTokens();
      leased0 = store.stats().leasedDecisions();
      redis0 = store.stats().redisDecisions();
      full0 = store.globalFullNanos(true);
    }

    /**
     * Returns the summary since construction, with what the global bucket holds in Redis now (called
     * as the drivers stop: tokens the run left unclaimed there) and node 0's lease state.
     */
    String close() {
      long inRedis = store.aggregates().toCompletableFuture().join().global().tokens();
      return String.format(Locale.ROOT, "node 0 in the run: global lease granted %,d tokens, leased decisions %,d,"
          + " Redis decisions %,d, global bucket full between top-up replies %.1f ms; at the end %,d tokens in"
          + " Redis, node 0's lease: %s",
          store.globalLeaseTokens() - tokens0, store.stats().leasedDecisions() - leased0,
          store.stats().redisDecisions() - redis0, (store.globalFullNanos(false) - full0) / 1e6, inRedis,
          store.globalLeaseState());
    }
  }

  /** Returns the intersection of two lists of intervals, each sorted and disjoint. */
  private static List<long[]> intersect(List<long[]> a, List<long[]> b) {
    List<long[]> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.size() && j < b.size()) {
      long lo = Math.max(a.get(i)[0], b.get(j)[0]);
      long hi = Math.min(a.get(i)[1], b.get(j)[1]);
      if (lo < hi) {
        out.add(new long[] {lo, hi});
      }
      if (a.get(i)[1] < b.get(j)[1]) {
        i++;
      } else {
        j++;
      }
    }
    return out;
  }
}
