package dev.sluice.redis;

import dev.sluice.testkit.RedisProcess;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Decision;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.testkit.BucketInvariantChecker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several nodes on one Redis, leasing the hot global bucket, driven by a burst across all of them:
 * admissions stay within {@code burst + rate * t} plus the leasing bound on every window; and a
 * node killed mid-burst does not keep its share: the others use it within a lease period.
 */
@Timeout(60)
class RedisLeasingChaosTest {

  private static final long BURST = 500;
  private static final long RATE = 1_000;
  /** Leasing slack: 1 % of burst + rate * (1 s lease period). */
  private static final long LEASE_BOUND = (long) (0.01 * (BURST + RATE));
  /** Admissions are timestamped when their stage completes, up to a few ms after Redis decided. */
  private static final long JITTER = RATE * 5 / 1000;
  private static RedisProcess redis;

  @BeforeAll
  static void start() {
    redis = RedisProcess.start();
  }

  @AfterAll
  static void stop() {
    redis.kill();
  }

  private static LimiterSpec spec() {
    return LimiterSpec.builder().tier("t", Limit.of(1_000_000, 1_000_000)).global(Limit.of(BURST, RATE)).build();
  }

  /** A burst in progress: one thread per node deciding as fast as it can. */
  private static final class Burst {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<CompletableFuture<List<long[]>>> runs = new ArrayList<>();

    Burst(List<RedisBucketStore> nodes, ExecutorService pool) {
      for (RedisBucketStore node : nodes) {
        runs.add(CompletableFuture.supplyAsync(() -> {
          List<long[]> mine = new ArrayList<>();
          int i = 0;
          while (!stop.get()) {
            Decision d = NodeHarness.decide(node, "client-" + (i++ % 2), Duration.ofMillis(100));
            if (d.allowed()) {
              mine.add(new long[] {NodeHarness.CLOCK.nanoTime()});
            } else {
              // A saturated lease denies locally, without I/O: without this, N threads spinning on
              // 2 cores starve the event loops and Redis, and completion stamps lag by more than
              // the jitter allowed below. (A denied client would wait its retry-after anyway.)
              Thread.yield();
            }
          }
          return mine;
        }, pool));
      }
    }

    /** Stops the burst; returns the instants of every admission, in time order. */
    List<long[]> stop() {
      stop.set(true);
      List<long[]> all = new ArrayList<>();
      runs.forEach(r -> all.addAll(r.join()));
      all.sort(Comparator.comparingLong(a -> a[0]));
      return all;
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void aBurstAcrossNodesStaysWithinTheInvariantPlusTheLeaseBound(int count) {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    try (NodeHarness h = new NodeHarness(count, spec(), redis.uri(), "burst" + count, true)) {
      long start = NodeHarness.CLOCK.nanoTime();
      Burst burst = new Burst(h.nodes, pool);
      Conditions.await("two seconds of burst", Duration.ofSeconds(10),
          () -> NodeHarness.CLOCK.nanoTime() - start > 2_000_000_000L);
      List<long[]> admitted = burst.stop();
      BucketInvariantChecker checker = new BucketInvariantChecker("global over " + count + " nodes",
          Limit.of(BURST + LEASE_BOUND + JITTER, RATE), start);
      admitted.forEach(a -> checker.onAdmit(a[0], 1));
      double seconds = (admitted.get(admitted.size() - 1)[0] - start) / 1e9;
      long leased = h.nodes.stream().mapToLong(n -> n.stats().leasedDecisions()).sum();
      long grants = h.nodes.stream().mapToLong(n -> n.stats().leaseGrants()).sum();
      assertThat(leased).as("decisions answered from leases").isPositive();
      assertThat(grants).as("leases granted").isPositive();
      // The global bucket is saturated: its leases run dry and deny locally instead of asking Redis.
      long deniedLocally = h.nodes.stream().mapToLong(n -> n.stats().localDenials()).sum();
      assertThat(deniedLocally).as("decisions denied locally by a saturated lease").isPositive();
      assertThat(checker.admitted()).as("admitted in %.2f s", seconds)
          .isGreaterThan((long) (0.5 * RATE * seconds));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void hotClientsAreServedFromTheirLeasesWithoutARoundTrip() {
    LimiterSpec open = LimiterSpec.builder().tier("t", Limit.of(10_000_000, 10_000_000))
        .global(Limit.of(100_000_000, 100_000_000)).build();
    try (NodeHarness h = new NodeHarness(1, open, redis.uri(), "hotclients", true)) {
      RedisBucketStore node = h.nodes.get(0);
      int[] i = {0};
      Conditions.await("the hot clients leased", Duration.ofSeconds(10), () -> {
        for (int k = 0; k < 100; k++) {
          NodeHarness.decide(node, "hot-" + (i[0]++ % 4), Duration.ofSeconds(1));
        }
        return node.stats().leasedDecisions() > 1_000;
      });
      long redisBefore = node.stats().redisDecisions();
      long leasedBefore = node.stats().leasedDecisions();
      for (int k = 0; k < 20_000; k++) {
        assertThat(NodeHarness.decide(node, "hot-" + (k % 4), Duration.ofSeconds(1)).allowed()).isTrue();
      }
      long redis = node.stats().redisDecisions() - redisBefore;
      long leased = node.stats().leasedDecisions() - leasedBefore;
      assertThat(redis + leased).isEqualTo(20_000);
      // Leases are topped up at half their size, long before they run dry: round trips are rare.
      assertThat(redis).as("decisions that needed Redis (leased: %d)", leased).isLessThan(1_000);
    }
  }

  @Test
  void aKilledNodesShareComesBackWithinOneLeasePeriod() {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (NodeHarness h = new NodeHarness(3, spec(), redis.uri(), "killnode", true)) {
      long start = NodeHarness.CLOCK.nanoTime();
      Burst victim = new Burst(h.nodes.subList(2, 3), pool);
      Burst survivors = new Burst(h.nodes.subList(0, 2), pool);
      Conditions.await("a second of burst", Duration.ofSeconds(10),
          () -> NodeHarness.CLOCK.nanoTime() - start > 1_000_000_000L);
      victim.stop();
      h.nodes.get(2).halt();
      long killedAt = NodeHarness.CLOCK.nanoTime();
      Conditions.await("two lease periods after the kill", Duration.ofSeconds(10),
          () -> NodeHarness.CLOCK.nanoTime() - killedAt > 2_000_000_000L);
      List<long[]> served = survivors.stop();
      long periodStart = killedAt + 1_000_000_000L;
      long periodEnd = periodStart + 1_000_000_000L;
      long inSecondPeriod = served.stream().filter(a -> a[0] >= periodStart && a[0] < periodEnd).count();
      // The survivors serve on, and after one lease period they get (nearly) the whole rate: nothing stays
      // stuck in the dead node's lease.
      assertThat(inSecondPeriod).isGreaterThan((long) (0.8 * RATE));
      assertThat(h.nodes.get(0).stats().liveNodes()).isEqualTo(2);
    } finally {
      pool.shutdownNow();
    }
  }
}
