package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The client table's growth, copies and sweeps while two threads decide on thousands of keys:
 * every admission goes through each client's invariant checker, so a decision lost in a copy or a
 * slot claimed twice (two buckets for one client) would show as excess.
 */
class ClientTableStressTest {

  private static final int PER_THREAD = 150_000;
  private static final int CLIENTS = 6_000;

  /** One admission: client, cost and the instant its decision read. */
  private record Admission(int client, int cost, long at) {}

  @Test
  void twoThreadsOnThousandsOfKeysWhileTheTableGrowsAndForgetsFullBuckets() throws Exception {
    // Buckets refill within 2 us and the idle sweep runs every 50 us of clock time (about 40 in the
    // test, each forgetting most keys); copies, sweeps and tombstone drops run under traffic.
    long start = -123_456_789;
    TickingClock clock = new TickingClock(start, 7);
    Limit perClient = Limit.of(4, 2_000_000);
    Limiter limiter = Limiter.create(LimiterSpec.builder().tier("t", perClient)
        .idleExpiry(Duration.ofNanos(50_000)).build(), clock);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Admission> all = new ArrayList<>();
    try {
      CyclicBarrier go = new CyclicBarrier(2);
      List<Future<List<Admission>>> futures = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int id = t;
        futures.add(pool.submit(() -> {
          go.await(10, TimeUnit.SECONDS);
          SplittableRandom rnd = new SplittableRandom(31 + id);
          List<Admission> out = new ArrayList<>();
          for (int i = 0; i < PER_THREAD; i++) {
            // Half the draws on 64 busy keys, half over all of them.
            int client = rnd.nextBoolean() ? rnd.nextInt(64) : rnd.nextInt(CLIENTS);
            int cost = 1 + rnd.nextInt(2);
            clock.mark();
            if (limiter.tryConsume("c" + client, "t", cost)) {
              out.add(new Admission(client, cost, clock.firstReadSinceMark()));
            }
          }
          return out;
        }));
      }
      for (Future<List<Admission>> f : futures) {
        all.addAll(f.get(2, TimeUnit.MINUTES));
      }
    } finally {
      pool.shutdownNow();
    }
    all.sort((a, b) -> Long.compare(a.at(), b.at()));
    BucketInvariantChecker[] checkers = new BucketInvariantChecker[CLIENTS];
    for (int c = 0; c < CLIENTS; c++) {
      checkers[c] = new BucketInvariantChecker("client " + c, perClient, start);
    }
    for (Admission a : all) {
      checkers[a.client()].onAdmit(a.at(), a.cost());
    }
    assertThat(all).hasSizeGreaterThan(50_000);
    long busyDenied = 2L * PER_THREAD - all.size();
    assertThat(busyDenied).as("some busy keys were denied, so their buckets ran dry").isGreaterThan(1_000);
  }
}
