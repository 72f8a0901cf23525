package dev.sluice.redis;

import dev.sluice.testkit.Conditions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Decision;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import dev.sluice.testkit.RedisProcess;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bytes allocated per decision on the two paths a busy edge takes without Redis: a decision served
 * from leases, and a local denial by a saturated lease (a real redis-server grants the leases). The
 * calling thread's allocation is counted with {@code ThreadMXBean#getThreadAllocatedBytes} over many
 * decisions after a warm-up, on a manual clock that stands still while counting, so no top-up and
 * no timing enter the count. What a decision must allocate is its {@link Decision} and the completed
 * future around it (the store's API returns a stage); everything else on these paths (the levels, the
 * lease keys, per-decision arrays) is cached or on the stack. Allocation per decision on these paths
 * is what made a saturated edge collect garbage at millions of denials per second.
 */
@Timeout(120)
class RedisAllocationTest {

  /** A decision and its completed future take 72-80 bytes with compressed oops; some slack for JIT warm-up. */
  private static final long MAX_BYTES_PER_DECISION = 96;
  private static final int COUNTED = 200_000;
  private static final String CLIENT = "client-0";
  private static RedisProcess redis;

  @BeforeAll
  static void start() {
    redis = RedisProcess.start();
  }

  @AfterAll
  static void stop() {
    redis.kill();
  }

  private static RedisBucketStore store(LimiterSpec spec, ManualClock clock, String namespace) {
    return RedisBucketStore.builder(spec)
        .standalone(io.lettuce.core.RedisURI.create(redis.uri()))
        .namespace(namespace)
        .clock(clock)
        .systemClock(clock)
        .timeout(Duration.ofSeconds(10))
        .build();
  }

  private static Decision decide(RedisBucketStore store) {
    return store.acquire(CLIENT, null, 1).toCompletableFuture().join();
  }

  /** Decides at 100 requests per virtual millisecond until {@code done} holds, letting top-ups finish. */
  private static void warmUp(RedisBucketStore store, ManualClock clock, java.util.function.BooleanSupplier done) {
    for (int i = 0; i < 2_000_000 && !done.getAsBoolean(); i++) {
      decide(store);
      if (i % 100 == 99) {
        Conditions.await("lease calls settled", Duration.ofSeconds(10), store::leaseCallsSettled);
        clock.advance(Duration.ofMillis(1));
      }
    }
    assertThat(done.getAsBoolean()).as("warm-up reached its state").isTrue();
    Conditions.await("lease calls settled", Duration.ofSeconds(10), store::leaseCallsSettled);
  }

  /**
   * Returns the bytes this thread allocated per decision over {@code rounds} rounds of {@code n}
   * decisions of {@code path}; between rounds (not counted) the store's lease calls settle.
   */
  private static double bytesPerDecision(RedisBucketStore store, int rounds, int n, Runnable path) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().threadId();
    long bytes = 0;
    for (int r = 0; r < rounds; r++) {
      Conditions.await("lease calls settled", Duration.ofSeconds(10), store::leaseCallsSettled);
      long before = threads.getThreadAllocatedBytes(self);
      for (int i = 0; i < n; i++) {
        path.run();
      }
      bytes += threads.getThreadAllocatedBytes(self) - before;
    }
    return (double) bytes / rounds / n;
  }

  @Test
  void aDecisionServedFromLeasesAllocatesOnlyItsDecision() {
    // Limits far above the load: every level leased once the demand is seen.
    LimiterSpec spec = LimiterSpec.builder().tier("t", Limit.of(10_000_000, 10_000_000))
        .global(Limit.of(10_000_000, 10_000_000)).build();
    ManualClock clock = new ManualClock(Lockstep.START);
    try (RedisBucketStore store = store(spec, clock, "alloc-leased")) {
      warmUp(store, clock, () -> store.stats().leasedDecisions() > 300_000);
      long leased = store.stats().leasedDecisions();
      long redisDecisions = store.stats().redisDecisions();
      // The clock stands still. The leases hold 2,000 tokens each at this demand (1 % of B + R * 1 s,
      // times demand / rate = 1 %) and are topped up at half: rounds of 500 never run one dry.
      long[] allowed = new long[1];
      double bytes = bytesPerDecision(store, COUNTED / 500, 500, () -> allowed[0] += decide(store).allowed() ? 1 : 0);
      assertThat(allowed[0]).isEqualTo(COUNTED);
      assertThat(store.stats().leasedDecisions() - leased).as("all served from leases").isEqualTo(COUNTED);
      assertThat(store.stats().redisDecisions()).isEqualTo(redisDecisions);
      assertThat(bytes).as("bytes allocated per leased decision").isLessThanOrEqualTo(MAX_BYTES_PER_DECISION);
    }
  }

  @Test
  void aLocalDenialBySaturatedLeaseAllocatesOnlyItsDecision() {
    // The global level (10,000 at 10,000/s) saturates at 100,000 requests/s; the client level leases.
    LimiterSpec spec = LimiterSpec.builder().tier("t", Limit.of(10_000_000, 10_000_000))
        .global(Limit.of(10_000, 10_000)).build();
    ManualClock clock = new ManualClock(Lockstep.START);
    try (RedisBucketStore store = store(spec, clock, "alloc-denied")) {
      warmUp(store, clock, () -> store.stats().localDenials() > 300_000);
      // Empty until the next top-up, paced by virtual time that stands still: every request denied locally.
      long denied = store.stats().localDenials();
      long[] allowed = new long[1];
      double bytes = bytesPerDecision(store, 10, COUNTED / 10, () -> allowed[0] += decide(store).allowed() ? 1 : 0);
      assertThat(allowed[0]).isZero();
      assertThat(store.stats().localDenials() - denied).as("all denied locally").isEqualTo(COUNTED);
      assertThat(bytes).as("bytes allocated per local denial").isLessThanOrEqualTo(MAX_BYTES_PER_DECISION);
    }
  }
}
