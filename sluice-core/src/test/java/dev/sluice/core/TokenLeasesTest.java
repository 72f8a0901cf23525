package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Token leases ({@link TokenLeases}) on a manual clock: grants come from the lease's own slots,
 * slots the clock has passed age out, give-backs return to the lease, a limit change abandons the
 * leases, the {@code burst + rate * t} bound holds exactly over every window, and the tokens leases
 * hold back are bounded; then two real threads on one bucket, checked against the exact bound.
 */
class TokenLeasesTest {

  /** 1024 tokens at 10^7/s: 100 ns per token, so a lease is 40 tokens when the burst allows. */
  private static final Limit LIMIT = Limit.of(1024, 10_000_000);
  private static final long I = 100;

  private static long take(GcraBucket b, long now, long cost) {
    return b.take(now, cost, b.params());
  }

  private static boolean leased(long outcome) {
    return outcome >= 0 && (outcome & TokenLeases.LEASED) != 0;
  }

  private static GcraBucket leasingBucket() {
    GcraBucket b = new GcraBucket(LIMIT);
    assertThat(b.params().leaseTokens).isGreaterThanOrEqualTo(2);
    b.startLeasing();
    return b;
  }

  /**
   * Checks {@code admitted cost over [a, b] <= burst + (b - a) / interval} over every window of a
   * history in time order, in O(1) per admission (as BucketInvariantChecker in sluice-testkit).
   */
  static final class ExactBound {
    private final long burst;
    private final long interval;
    private long admitted;
    private double minStart = Double.MAX_VALUE;

    ExactBound(Limit limit) {
      this.burst = limit.burst();
      this.interval = limit.rate().intervalNanos();
    }

    void admit(long at, long cost) {
      double allowance = (double) at / interval;
      minStart = Math.min(minStart, admitted - allowance);
      admitted += cost;
      double excess = admitted - allowance - minStart - burst;
      assertThat(excess).as("excess over burst + rate * t at t=%d after %d admitted", at, admitted)
          .isLessThanOrEqualTo(1e-6);
    }

    long admitted() {
      return admitted;
    }
  }

  @Test
  void aLeaseServesItsTokensWithoutTouchingTheBucket() {
    GcraBucket b = leasingBucket();
    long lease = b.params().leaseTokens;
    long t0 = 5_000_000;
    long first = take(b, t0, 1);
    assertThat(leased(first)).isTrue();
    assertThat(b.tokens(t0)).isEqualTo(1024 - lease); // taken before granted
    for (int i = 1; i < lease; i++) {
      assertThat(leased(take(b, t0, 1))).as("grant %d", i).isTrue();
    }
    assertThat(b.tokens(t0)).isEqualTo(1024 - lease);
    assertThat(b.leases().unusedTokens(t0, b.params())).isZero();
    assertThat(leased(take(b, t0, 1))).isTrue(); // the next lease
    assertThat(b.tokens(t0)).isEqualTo(1024 - 2 * lease);
  }

  @Test
  void slotsTheClockHasPassedAgeOutAndAreNeverGranted() {
    GcraBucket b = leasingBucket();
    long lease = b.params().leaseTokens;
    long t0 = -3_000_000; // the lease owns the slots of [t0, t0 + lease * I)
    take(b, t0, 1);
    assertThat(b.leases().unusedTokens(t0, b.params())).isEqualTo(lease - 1);
    // Five intervals later the slots of [t0 + I, t0 + 5 I) are in the past: skipped, not granted.
    long later = take(b, t0 + 5 * I, 1);
    assertThat(later & ~TokenLeases.LEASED).isEqualTo(I); // its slot starts at its own instant
    assertThat(b.leases().unusedTokens(t0 + 5 * I, b.params())).isEqualTo(lease - 6);
    // Once the clock passes the lease's end nothing is held back and the bucket is full again.
    long end = t0 + lease * I;
    assertThat(b.leases().unusedTokens(end, b.params())).isZero();
    assertThat(b.tokens(end)).isEqualTo(1024);
  }

  @Test
  void aGrantGivenBackIsGrantedAgain() {
    GcraBucket b = leasingBucket();
    long t0 = 77;
    take(b, t0, 1);
    long second = take(b, t0, 3);
    long unused = b.leases().unusedTokens(t0, b.params());
    b.giveBack(() -> t0, t0, second, 3, b.params());
    assertThat(b.leases().unusedTokens(t0, b.params())).isEqualTo(unused + 3);
    assertThat(take(b, t0, 3)).isEqualTo(second);
  }

  @Test
  void aLimitChangeAbandonsTheLeases() {
    GcraBucket b = leasingBucket();
    long lease = b.params().leaseTokens;
    take(b, 0, 1);
    GcraBucket.Params next = new GcraBucket.Params(Limit.of(2048, 10_000_000));
    b.reconfigure(() -> 0, next);
    assertThat(b.leases().unusedTokens(0, next)).isZero();
    long before = b.tokens(0);
    assertThat(leased(b.take(0, 1, next))).isTrue();
    assertThat(b.tokens(0)).isEqualTo(before - next.leaseTokens); // a fresh lease under the new limit
    assertThat(lease).isPositive();
  }

  @Test
  void smallBurstsAndSlowRatesTakeNoLeases() {
    assertThat(new GcraBucket.Params(Limit.of(4, 10_000_000)).leaseTokens).isZero();
    assertThat(new GcraBucket.Params(Limit.of(1_000_000, 1_000)).leaseTokens).isZero(); // 1 ms per token
    assertThat(new GcraBucket.Params(Limit.of(1_000_000_000, 1_000_000_000)).leaseTokens)
        .isEqualTo(GcraBucket.LEASE_SPAN_NANOS);
  }

  @Test
  void leasedGrantsGiveBacksAndRefillsAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    threads.setThreadAllocatedMemoryEnabled(true);
    GcraBucket b = leasingBucket();
    long[] now = {0};
    Clock clock = () -> now[0];
    Runnable round = () -> {
      for (int i = 0; i < 100_000; i++) {
        now[0] += 37;
        long outcome = take(b, now[0], 1 + (i & 1));
        if ((i & 7) == 0 && outcome >= 0) {
          b.giveBack(clock, now[0], outcome, 1 + (i & 1), b.params());
        }
      }
    };
    round.run();
    round.run();
    long before = threads.getCurrentThreadAllocatedBytes();
    round.run();
    assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(1024); // not per call
  }

  /**
   * Four threads take turns on one bucket (each step runs on its worker and is awaited, so the
   * interleaving is the seed's), with random gaps, under a demand above the rate between pauses. Every
   * window keeps the exact bound; the total admitted falls short of a lease-free bucket fed the
   * same requests by at most what the cells can hold back.
   */
  @Test
  void interleavedThreadsKeepTheExactBoundAndLoseAtMostWhatTheCellsHold() throws Exception {
    int workers = 4;
    List<ExecutorService> pool = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      pool.add(Executors.newSingleThreadExecutor());
    }
    try {
      GcraBucket leasedBucket = leasingBucket();
      GcraBucket plain = new GcraBucket(LIMIT);
      ExactBound bound = new ExactBound(LIMIT);
      SplittableRandom rnd = new SplittableRandom(18);
      long now = 1_000_000;
      long plainAdmitted = 0;
      long leasedGrants = 0;
      for (int step = 0; step < 40_000; step++) {
        // About 1.7 requests per token interval of 100 ns, and now and then a pause long enough
        // for the bucket to refill: leases taken before it must not grant the slots it passed.
        now += rnd.nextInt(100) == 0 ? 150_000 : rnd.nextInt(60);
        long at = now;
        long outcome = pool.get(rnd.nextInt(workers)).submit(() -> take(leasedBucket, at, 1)).get();
        if (outcome >= 0) {
          bound.admit(at, 1);
          leasedGrants += leased(outcome) ? 1 : 0;
        }
        plainAdmitted += plain.tryConsume(at, 1, plain.params()) >= 0 ? 1 : 0;
      }
      long lease = leasedBucket.params().leaseTokens;
      assertThat(leasedGrants).isPositive(); // saturated: a lease waits for 40 free tokens
      assertThat(bound.admitted()).isLessThanOrEqualTo(plainAdmitted)
          .isGreaterThanOrEqualTo(plainAdmitted - (long) TokenLeases.CELLS * lease);
    } finally {
      pool.forEach(ExecutorService::shutdownNow);
    }
  }

  /** {@link #twoThreadsOnOneBucket} on a bucket the demand saturates (one token per 100 ns). */
  @Test
  void twoThreadsOnASaturatedBucketKeepTheExactBound() throws Exception {
    long[] admittedAndLeased = twoThreadsOnOneBucket(LIMIT);
    assertThat(admittedAndLeased[0]).isGreaterThan(10_000);
    assertThat(admittedAndLeased[1]).isPositive();
  }

  /** {@link #twoThreadsOnOneBucket} below the rate (one token per ns): leases serve most grants. */
  @Test
  void twoThreadsBelowTheRateAreServedByLeasesWithinTheExactBound() throws Exception {
    long[] admittedAndLeased = twoThreadsOnOneBucket(Limit.of(1 << 20, 1_000_000_000));
    assertThat(admittedAndLeased[1]).isGreaterThan(admittedAndLeased[0] / 2);
  }

  /**
   * Two threads on one bucket at once, reading a shared clock that moves 7 ns per read: the merged
   * history of admissions, each at the instant its decision read, keeps the exact bound. Returns
   * the admitted cost and the number of grants leases served.
   */
  private static long[] twoThreadsOnOneBucket(Limit limit) throws Exception {
    GcraBucket b = new GcraBucket(limit);
    b.startLeasing();
    AtomicLong clock = new AtomicLong(Long.MAX_VALUE / 4);
    long start = clock.get();
    int perThread = 300_000;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CyclicBarrier go = new CyclicBarrier(2);
      List<Future<long[]>> futures = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int id = t;
        futures.add(pool.submit(() -> {
          SplittableRandom rnd = new SplittableRandom(id);
          long[] log = new long[2 * perThread + 1]; // (instant, cost) pairs, then leased grants
          int n = 0;
          go.await(10, TimeUnit.SECONDS);
          for (int i = 0; i < perThread; i++) {
            long now = clock.getAndAdd(7);
            int cost = 1 + rnd.nextInt(2);
            long outcome = take(b, now, cost);
            if (outcome >= 0) {
              log[n++] = now;
              log[n++] = cost;
              log[log.length - 1] += leased(outcome) ? 1 : 0;
            }
          }
          return java.util.Arrays.copyOf(log, log.length);
        }));
      }
      List<long[]> admissions = new ArrayList<>();
      long leasedGrants = 0;
      for (Future<long[]> f : futures) {
        long[] log = f.get(2, TimeUnit.MINUTES);
        leasedGrants += log[log.length - 1];
        for (int i = 0; i + 1 < log.length - 1 && log[i] != 0; i += 2) {
          admissions.add(new long[] {log[i], log[i + 1]});
        }
      }
      admissions.sort((x, y) -> Long.compare(x[0], y[0]));
      ExactBound bound = new ExactBound(limit);
      for (long[] a : admissions) {
        bound.admit(a[0] - start, a[1]);
      }
      return new long[] {bound.admitted(), leasedGrants};
    } finally {
      pool.shutdownNow();
    }
  }
}
