package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Counts the heap bytes the deciding thread allocates ({@code ThreadMXBean} allocation counter)
 * over many decisions on a warmed limiter: the allocation-free API ({@link Limiter#tryConsume},
 * {@link Limiter#tryConsumePermit} and {@link Limiter#release}) must allocate nothing once every
 * key's bucket exists. The counter is exact and independent of timing: interpreted, C1 and C2 code
 * of an allocation-free path all allocate 0 bytes, so only a small fixed total (never a per-decision
 * amount) is tolerated, for a one-off class initialisation the warm-up did not reach.
 */
class DecisionAllocationTest {

  private static final int DECISIONS = 200_000;
  private static final int WARMUP_ROUNDS = 3;
  /** A fixed total over all {@link #DECISIONS}: one stray allocation, not one per decision. */
  private static final long TOLERATED_BYTES = 1024;
  private static final int KEYS = 10_000;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final String[] KEY_NAMES = new String[KEYS];

  private static Object sink;

  /** One decision number {@code i}; returns 1 when admitted, else 0. */
  @FunctionalInterface
  private interface Decider {
    int decide(int i);
  }

  @BeforeAll
  static void counterIsAvailable() {
    assertThat(THREADS.isThreadAllocatedMemorySupported()).as("thread allocation counter").isTrue();
    THREADS.setThreadAllocatedMemoryEnabled(true);
    for (int k = 0; k < KEYS; k++) {
      KEY_NAMES[k] = "client-" + k;
    }
  }

  /** Warms {@code d} up, then returns the bytes this thread allocated over {@link #DECISIONS} calls. */
  private static long allocatedBytes(Decider d, long[] admitted) {
    for (int round = 0; round < WARMUP_ROUNDS; round++) {
      run(d, admitted);
    }
    admitted[0] = 0;
    long before = THREADS.getCurrentThreadAllocatedBytes();
    run(d, admitted);
    return THREADS.getCurrentThreadAllocatedBytes() - before;
  }

  private static void run(Decider d, long[] admitted) {
    long n = 0;
    for (int i = 0; i < DECISIONS; i++) {
      n += d.decide(i);
    }
    admitted[0] += n;
  }

  /** Asserts no allocation and that both admissions and denials were measured. */
  private static void assertAllocationFree(String what, Decider d) {
    long[] admitted = new long[1];
    long bytes = allocatedBytes(d, admitted);
    assertThat(admitted[0]).as("%s: admitted", what).isBetween(1L, DECISIONS - 1L);
    assertThat(bytes).as("%s: bytes allocated over %d decisions", what, DECISIONS)
        .isLessThanOrEqualTo(TOLERATED_BYTES);
  }

  /** Creates a limiter on {@code clock} and touches every key once, so every bucket exists. */
  private static Limiter warmed(LimiterSpec spec, ManualClock clock) {
    Limiter limiter = Limiter.create(spec, clock);
    for (String key : KEY_NAMES) {
      limiter.tryConsume(key, "t", 1);
    }
    limiter.tryConsume("hot", "t", 1);
    return limiter;
  }

  private static Map<String, Limit> overrides() {
    Map<String, Limit> m = new HashMap<>();
    m.put("hot", Limit.of(50, 2_000_000));
    for (int k = 0; k < KEYS; k += 500) {
      m.put(KEY_NAMES[k], Limit.of(2, 2_000));
    }
    return m;
  }

  private static LimiterSpec clientOnly(Limit perClient, Map<String, Limit> overrides) {
    LimiterSpec base = LimiterSpec.builder().tier("t", perClient)
        .idleExpiry(Duration.ofHours(1)).build();
    return base.withTier(base.tiers().get("t").withClients(overrides));
  }

  @Test
  void theMeterSeesAnAllocationPerCall() {
    // The control: a loop that allocates 16+ bytes per call must be seen, or the test below proves
    // nothing on this JVM.
    long[] admitted = new long[1];
    long bytes = allocatedBytes(i -> {
      long[] a = new long[1 + (i & 1)];
      sink = a;
      return a.length - 1;
    }, admitted);
    assertThat(bytes).isGreaterThanOrEqualTo(16L * DECISIONS);
  }

  @Test
  void aHotKeyDecidesWithoutAllocating() {
    for (Map<String, Limit> o : java.util.List.of(Map.<String, Limit>of(), overrides())) {
      ManualClock clock = new ManualClock(1_000);
      Limiter limiter = warmed(clientOnly(Limit.of(20, 1_000_000), o), clock);
      assertAllocationFree("hot key, " + o.size() + " overrides", i -> {
        clock.advance(300); // 1 token per 1000 ns (500 ns when overridden): some denials
        return limiter.tryConsume("hot", "t", 1) ? 1 : 0;
      });
    }
  }

  @Test
  void manyPresentKeysDecideWithoutAllocating() {
    for (Map<String, Limit> o : java.util.List.of(Map.<String, Limit>of(), overrides())) {
      ManualClock clock = new ManualClock(1_000);
      // A key comes back every 10^4 decisions, 10 us later: 1 token refilled, 2.5 asked on average.
      Limiter limiter = warmed(clientOnly(Limit.of(4, 100_000), o), clock);
      long clients = limiter.clientCount("t");
      assertAllocationFree("10^4 keys, " + o.size() + " overrides", i -> {
        clock.advance(1);
        return limiter.tryConsume(KEY_NAMES[(int) ((i * 7919L) % KEYS)], "t", 1 + (i & 3)) ? 1 : 0;
      });
      assertThat(limiter.clientCount("t")).as("no bucket created or dropped").isEqualTo(clients);
    }
  }

  @Test
  void aHierarchyWithConcurrencyLevelsDecidesAndReleasesWithoutAllocating() {
    // Tier aggregate and global levels that deny part of the time (so client and tier buckets are
    // refunded), and tier and global concurrency levels whose permits are released a few decisions
    // later.
    LimiterSpec base = LimiterSpec.builder()
        .tier("t", Limit.of(20, 1_000_000), Limit.of(400, 20_000_000), 64)
        .global(Limit.of(300, 10_000_000)).concurrency(48)
        .idleExpiry(Duration.ofHours(1)).permitTimeout(Duration.ofHours(1)).build();
    LimiterSpec spec = base.withTier(base.tiers().get("t").withClients(overrides()));
    ManualClock clock = new ManualClock(1_000);
    Limiter limiter = warmed(spec, clock);
    long[] held = new long[16];
    assertAllocationFree("hierarchy with permits", i -> {
      clock.advance(40);
      int slot = i & 15;
      if (held[slot] > 0) {
        limiter.release(held[slot]);
      }
      String key = (i & 1) == 0 ? "hot" : KEY_NAMES[(int) ((i * 7919L) % KEYS)];
      long permit = limiter.tryConsumePermit(key, "t", 1 + (i & 1));
      held[slot] = Math.max(0, permit);
      return permit >= 0 ? 1 : 0;
    });
  }
}
