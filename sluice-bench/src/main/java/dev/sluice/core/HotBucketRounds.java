package dev.sluice.core;

import java.util.concurrent.CyclicBarrier;

/**
 * Diagnostic for a busy machine, where JMH's intervals on {@link HotBucketBenchmark} come out wider
 * than the scores: the same three routes (one shared bucket, the same with leases, two shards),
 * and a chain of three shared buckets without and with leases (the client, tier and global levels
 * of one hot key, without the limiter around them),
 * run in alternation (shards kept on separate cache lines) for 30 rounds of 2·10^6 calls per thread, reporting the best round of each
 * after 5 warm-up rounds. Other processes can only make a round slower, so the best round is the
 * closest to an idle machine that the run saw. One system clock read and one cost-1 request per
 * call on the open limit (10^9 tokens at 10^9/s).
 *
 * <p>Usage: {@code java -cp sluice-bench/target/benchmarks.jar dev.sluice.core.HotBucketRounds
 * THREADS [forced]}; {@code forced} builds the leases up front, so that one thread measures the
 * cost of a leased grant (otherwise leases start at the first lost CAS, which one thread never
 * has).
 */
public final class HotBucketRounds {

  private static final String[] ROUTES = {"shared", "leased", "sharded", "shared3", "leased3"};
  private static final int CALLS = 2_000_000;
  private static final int ROUNDS = 30;
  private static final int WARMUP = 5;
  private static volatile boolean sink;

  private HotBucketRounds() {}

  /** Runs the rounds and prints the best nanoseconds per call of each route. */
  public static void main(String[] args) throws Exception {
    if (args.length < 1 || Integer.parseInt(args[0]) < 1) {
      throw new IllegalArgumentException("usage: HotBucketRounds THREADS [forced] (expected: THREADS >= 1)");
    }
    int threads = Integer.parseInt(args[0]);
    boolean forced = args.length > 1 && args[1].equals("forced");
    double[] best = new double[ROUTES.length];
    java.util.Arrays.fill(best, Double.MAX_VALUE);
    for (int round = 0; round < ROUNDS; round++) {
      for (int route = 0; route < ROUTES.length; route++) {
        double ns = round(route, threads, forced);
        if (round >= WARMUP) {
          best[route] = Math.min(best[route], ns);
        }
      }
    }
    for (int route = 0; route < ROUTES.length; route++) {
      System.out.printf("%-7s threads=%d%s best %.1f ns per call per thread, %.1f M calls/s in all%n",
          ROUTES[route], threads, forced ? " forced" : "", best[route], threads * 1e3 / best[route]);
    }
  }

  private static double round(int route, int threads, boolean forced) throws Exception {
    Clock clock = Clock.system();
    GcraBucket one = new GcraBucket(Limit.of(1_000_000_000L, 1_000_000_000L));
    GcraBucket[] chain = new GcraBucket[3];
    for (int i = 0; i < chain.length; i++) {
      chain[i] = new GcraBucket(Limit.of(1_000_000_000L, 1_000_000_000L));
      if (forced && route == 4) {
        chain[i].startLeasing();
      }
    }
    if (forced && route == 1) {
      one.startLeasing();
    }
    // Allocated with seven unused buckets between the two shards, so that they do not share a
    // cache line (two 56-byte buckets allocated back to back would, and every call would move it).
    GcraBucket[] spaced = new GcraBucket[9];
    for (int i = 0; i < spaced.length; i++) {
      spaced[i] = new GcraBucket(Limit.of(500_000_000L, 500_000_000L));
    }
    GcraBucket[] shards = {spaced[0], spaced[8]};
    CyclicBarrier go = new CyclicBarrier(threads);
    long[] took = new long[threads];
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      workers[t] = new Thread(() -> {
        try {
          go.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        long start = clock.nanoTime();
        boolean x = false;
        for (int i = 0; i < CALLS; i++) {
          long now = clock.nanoTime();
          if (route == 0) {
            x ^= one.tryConsume(now, 1, one.params()) >= 0;
          } else if (route == 1) {
            x ^= one.take(now, 1, one.params()) >= 0;
          } else if (route == 3) {
            boolean ok = true;
            for (GcraBucket b : chain) {
              ok &= b.tryConsume(now, 1, b.params()) >= 0;
            }
            x ^= ok;
          } else if (route == 4) {
            boolean ok = true;
            for (GcraBucket b : chain) {
              ok &= b.take(now, 1, b.params()) >= 0;
            }
            x ^= ok;
          } else {
            int first = (int) Thread.currentThread().threadId() & 1;
            GcraBucket b = shards[first];
            if (b.tryConsume(now, 1, b.params()) < 0) {
              b = shards[first ^ 1];
              x ^= b.tryConsume(now, 1, b.params()) >= 0;
            }
          }
        }
        sink = x;
        took[id] = clock.nanoTime() - start;
      });
      workers[t].start();
    }
    long slowest = 0;
    for (int t = 0; t < threads; t++) {
      workers[t].join();
      slowest = Math.max(slowest, took[t]);
    }
    return (double) slowest / CALLS;
  }
}
