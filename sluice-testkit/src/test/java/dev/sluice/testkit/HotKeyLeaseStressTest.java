package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
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
 * Two threads on one hot client key with a tier and a global level whose rates are high enough for
 * token leases (a few nanoseconds per token), the client level included (its slot becomes hot on
 * the first lost CAS), on a {@link TickingClock}: the tier level is
 * saturated, so the client level gives leased grants back on most denials, and one thread pauses
 * the clock forward now and then, long enough for every level to refill, so that leases taken
 * before a pause (while the tier drains) hold slots the clock has passed; the tier drains again
 * right after, where granting such a slot would break its bound. Every admission is checked at the instant its decision read against the exact
 * {@code burst + rate * t} bound of each level, with no slack.
 */
class HotKeyLeaseStressTest {

  private static final int PER_THREAD = 200_000;

  @Test
  void leasedHotKeyKeepsTheExactBoundAtEveryLevel() throws Exception {
    long start = 1_000_000_000_000L;
    TickingClock clock = new TickingClock(start, 5);
    Limit client = Limit.of(100_000, 500_000_000); // 2 ns per token
    Limit tier = Limit.of(3_000, 125_000_000); // 8 ns: below what the two threads ask for
    Limit global = Limit.of(50_000, 250_000_000); // 4 ns
    Limiter limiter = Limiter.create(LimiterSpec.builder().tier("t", client, tier).global(global).build(), clock);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<long[]> admitted = new ArrayList<>();
    long denied = 0;
    try {
      // Rounds until the client slot has lost a CAS (made it hot): on a busy machine the two
      // threads may not overlap in one round. The clock only moves forward, so the rounds form one
      // history.
      for (int round = 0; round < 20 && (round == 0 || limiter.leasedClientCount("t") == 0); round++) {
        CyclicBarrier go = new CyclicBarrier(2);
        List<Future<long[][]>> futures = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          int id = t + 2 * round;
          futures.add(pool.submit(() -> {
            SplittableRandom rnd = new SplittableRandom(180 + id);
            long[] at = new long[PER_THREAD];
            long[] cost = new long[PER_THREAD];
            go.await(10, TimeUnit.SECONDS);
            for (int i = 0; i < PER_THREAD; i++) {
              if (id % 2 == 0 && rnd.nextInt(2_000) == 0) {
                clock.advance(200_000); // every level refills completely
              }
              int c = 1 + rnd.nextInt(3);
              clock.mark();
              if (limiter.tryConsume("hot", "t", c)) {
                at[i] = clock.firstReadSinceMark();
                cost[i] = c;
              }
            }
            return new long[][] {at, cost};
          }));
        }
        for (Future<long[][]> f : futures) {
          long[][] log = f.get(2, TimeUnit.MINUTES);
          for (int i = 0; i < PER_THREAD; i++) {
            if (log[1][i] > 0) {
              admitted.add(new long[] {log[0][i], log[1][i]});
            } else {
              denied++;
            }
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    admitted.sort((a, b) -> Long.compare(a[0], b[0]));
    BucketInvariantChecker clientChecker = new BucketInvariantChecker("client", client, start);
    BucketInvariantChecker tierChecker = new BucketInvariantChecker("tier", tier, start);
    BucketInvariantChecker globalChecker = new BucketInvariantChecker("global", global, start);
    for (long[] a : admitted) {
      clientChecker.onAdmit(a[0], a[1]);
      tierChecker.onAdmit(a[0], a[1]);
      globalChecker.onAdmit(a[0], a[1]);
    }
    assertThat(admitted).hasSizeGreaterThan(PER_THREAD / 2);
    assertThat(denied).as("the tier level saturated").isGreaterThan(PER_THREAD / 10);
    assertThat(limiter.leasedClientCount("t")).as("the hot key served from client leases").isEqualTo(1);
  }
}
