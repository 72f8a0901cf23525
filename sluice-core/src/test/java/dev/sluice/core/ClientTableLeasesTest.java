package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Token leases on a hot client slot of a {@link ClientTable} ({@link ClientLeases}), on a manual
 * clock: grants come from the lease's slots, passed slots age out, a limit change abandons the
 * leases, refunds only come off the top, a sweep keeps a slot whose leases may still grant and
 * drops the client from the hot array when it forgets the slot, and four threads taking turns keep
 * the exact {@code burst + rate * t} bound.
 */
class ClientTableLeasesTest {

  /** 1024 tokens at 10^7/s: 100 ns per token. */
  private static final Limit LIMIT = Limit.of(1024, 10_000_000);
  private static final long I = 100;
  private static final long HOUR = 3_600_000_000_000L;

  private static ClientTable table(GcraBucket.Params p, long maxSize) {
    return new ClientTable(p, Map.of(), maxSize, HOUR, 0);
  }

  private static long take(ClientTable t, long h, long now, long cost) {
    return t.take(h, now, cost, t.generation());
  }

  private static boolean leased(long outcome) {
    return outcome >= 0 && (outcome & TokenLeases.LEASED) != 0;
  }

  private static long tokens(ClientTable t, long h, long now) {
    return t.params(h).tokens(GcraBucket.debt(t.tat(h), now));
  }

  /** A table whose client "hot" is hot, with its slot created full at {@code now}. */
  private static ClientTable hotTable(long now) {
    GcraBucket.Params p = new GcraBucket.Params(LIMIT);
    assertThat(p.leaseTokens).isGreaterThanOrEqualTo(2);
    ClientTable t = table(p, 1_000);
    long h = t.hash("hot");
    t.startLeasing(h, now);
    assertThat(t.leases(h)).isNotNull();
    return t;
  }

  @Test
  void aHotClientIsServedFromItsLeasesWithoutTouchingItsSlot() {
    long t0 = 5_000_000;
    ClientTable t = hotTable(t0);
    long h = t.hash("hot");
    long lease = t.params(h).leaseTokens;
    assertThat(leased(take(t, h, t0, 1))).isTrue();
    assertThat(tokens(t, h, t0)).isEqualTo(1024 - lease); // the batch is debt of the slot
    long tat = t.tat(h);
    for (int i = 1; i < lease; i++) {
      assertThat(leased(take(t, h, t0, 1))).as("grant %d", i).isTrue();
    }
    assertThat(t.tat(h)).as("grants from the lease leave the slot alone").isEqualTo(tat);
    assertThat(leased(take(t, h, t0, 1))).isTrue(); // the next lease
    assertThat(tokens(t, h, t0)).isEqualTo(1024 - 2 * lease);
    long other = t.hash("cold");
    assertThat(leased(take(t, other, t0, 1))).as("other clients stay direct").isFalse();
    assertThat(t.hotCount()).isEqualTo(1);
  }

  @Test
  void slotsTheClockHasPassedAgeOutAndAreNeverGranted() {
    long t0 = -3_000_000;
    ClientTable t = hotTable(t0);
    long h = t.hash("hot");
    long lease = t.params(h).leaseTokens;
    take(t, h, t0, 1); // the lease owns [t0, t0 + lease * I)
    GcraBucket.Params p = t.params(h);
    assertThat(t.leases(h).unusedTokens(t0, p)).isEqualTo(lease - 1);
    long later = take(t, h, t0 + 5 * I, 1);
    assertThat(later & ~TokenLeases.LEASED).as("its slot starts at its own instant").isEqualTo(I);
    assertThat(t.leases(h).unusedTokens(t0 + 5 * I, p)).isEqualTo(lease - 6);
    long end = t0 + lease * I;
    assertThat(t.leases(h).unusedTokens(end, p)).isZero();
    assertThat(tokens(t, h, end)).isEqualTo(1024);
  }

  @Test
  void aGrantGivenBackIsGrantedAgain() {
    long t0 = 77;
    ClientTable t = hotTable(t0);
    long h = t.hash("hot");
    ClientGeneration g = t.generation();
    take(t, h, t0, 1);
    long second = take(t, h, t0, 3);
    long unused = t.leases(h).unusedTokens(t0, g.params(h));
    t.giveBack(h, () -> t0, t0, second, 3, g);
    assertThat(t.leases(h).unusedTokens(t0, g.params(h))).isEqualTo(unused + 3);
    assertThat(take(t, h, t0, 3)).isEqualTo(second);
  }

  @Test
  void aHotClientsRefundOnlyComesOffTheTop() {
    long t0 = 1_000;
    ClientTable t = hotTable(t0);
    long h = t.hash("hot");
    ClientGeneration g = t.generation();
    long lease = t.params(h).leaseTokens;
    long direct = take(t, h, t0, lease); // as large as a lease: straight from the slot
    assertThat(direct).isNotNegative();
    assertThat(leased(direct)).isFalse();
    assertThat(leased(take(t, h, t0, 1))).isTrue(); // a lease taken after it, above it
    long before = t.tat(h);
    t.giveBack(h, () -> t0, t0, direct, lease, g);
    assertThat(t.tat(h)).as("not slid under the lease").isEqualTo(before);
    // On top, the refund applies: a direct consumption right after, then given back.
    long top = take(t, h, t0, lease);
    t.giveBack(h, () -> t0, t0, top, lease, g);
    assertThat(t.tat(h)).isEqualTo(before);
    assertThat(tokens(t, h, t0)).isEqualTo(1024 - 2 * lease);
  }

  @Test
  void aLimitChangeAbandonsTheLeasesAndAnUnchangedOneKeepsThem() {
    ClientTable t = hotTable(0);
    long h = t.hash("hot");
    GcraBucket.Params p = t.params(h);
    take(t, h, 0, 1);
    long tat = t.tat(h);
    // Overrides of another key change; this client's params do not: same lease, same TAT.
    t.reconfigure(() -> 0, p, Map.of("other", new GcraBucket.Params(Limit.of(10, 10))));
    assertThat(t.params(h)).isSameAs(p);
    assertThat(leased(take(t, h, 0, 1))).isTrue();
    assertThat(t.tat(h)).isEqualTo(tat);
    GcraBucket.Params next = new GcraBucket.Params(Limit.of(2048, 10_000_000));
    t.reconfigure(() -> 0, next, Map.of());
    assertThat(t.leases(h).unusedTokens(0, next)).isZero();
    long before = tokens(t, h, 0);
    assertThat(leased(take(t, h, 0, 1))).isTrue();
    assertThat(tokens(t, h, 0)).as("a fresh lease under the new limit").isEqualTo(before - next.leaseTokens);
    ClientGeneration old = t.generation();
    t.reconfigure(() -> 0, p, Map.of());
    assertThat(take(t, h, 0, 1, old)).as("a decision in an older generation").isEqualTo(GcraBucket.STALE);
  }

  private static long take(ClientTable t, long h, long now, long cost, ClientGeneration g) {
    return t.take(h, now, cost, g);
  }

  @Test
  void aSweepKeepsASlotWhoseLeasesMayGrantAndForgetsItWithItsLeasesOnceFull() {
    GcraBucket.Params p = new GcraBucket.Params(LIMIT);
    ClientTable t = table(p, 20);
    long h = t.hash("hot");
    long t0 = 1_000_000;
    take(t, h, t0, 1);
    t.startLeasing(h, t0);
    assertThat(leased(take(t, h, t0, 1))).isTrue();
    long lease = p.leaseTokens;
    // Far above the size bound: the sweep passes retire slots with any debt, but not this one.
    for (int i = 0; i < 60; i++) {
      take(t, t.hash("k" + i), t0, 1000);
    }
    t.sweep(t0 + I);
    assertThat(t.size()).isLessThanOrEqualTo(20);
    assertThat(t.leases(h)).as("still hot").isNotNull();
    assertThat(tokens(t, h, t0 + I)).as("the slot kept its debt").isLessThan(1024);
    // The lease's remaining slots are granted from the kept slot, then the slot refills.
    long end = t0 + lease * I;
    for (long at = t0 + I; at < end; at += I) {
      assertThat(leased(take(t, h, at, 1))).isTrue();
    }
    long full = t.tat(h);
    t.sweep(full - 1);
    assertThat(t.leases(h)).as("not full yet").isNotNull();
    t.sweep(full);
    assertThat(t.leases(h)).as("forgotten full: no longer hot").isNull();
    assertThat(t.hotCount()).isZero();
    assertThat(tokens(t, h, full)).isEqualTo(1024);
  }

  @Test
  void aFullHotArrayMakesRoomOnlyByAQuietClient() {
    ClientTable t = table(new GcraBucket.Params(LIMIT), 1_000);
    for (int i = 0; i < ClientLeases.MAX; i++) {
      long h = t.hash("k" + i);
      t.startLeasing(h, 0);
      take(t, h, 0, 1); // every lease ends at 0 + lease * I
    }
    long extra = t.hash("extra");
    t.startLeasing(extra, 0);
    assertThat(t.leases(extra)).as("every lease may still grant").isNull();
    long quiet = 1_000_000;
    t.startLeasing(extra, quiet);
    assertThat(t.leases(extra)).isNotNull();
    assertThat(t.hotCount()).isEqualTo(ClientLeases.MAX);
    long another = t.hash("another");
    t.startLeasing(another, quiet + ClientTable.REPLACE_PAUSE_NANOS - 1);
    assertThat(t.leases(another)).as("a second replacement within the pause").isNull();
    t.startLeasing(another, quiet + ClientTable.REPLACE_PAUSE_NANOS);
    assertThat(t.leases(another)).as("after the pause").isNotNull();
    assertThat(t.hotCount()).isEqualTo(ClientLeases.MAX);
  }

  /**
   * Four threads take turns on one hot client (each step runs on its worker and is awaited, so the
   * interleaving is the seed's), costs 1 to 3, some grants given back as a later level's denial
   * would, and now and then a pause long enough to refill. Every window keeps the exact bound, and
   * the total falls short of a lease-free table fed the same requests by at most what the cells hold.
   */
  @Test
  void interleavedThreadsKeepTheExactBound() throws Exception {
    int workers = 4;
    List<ExecutorService> pool = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      pool.add(Executors.newSingleThreadExecutor());
    }
    try {
      ClientTable leasedTable = hotTable(0);
      long h = leasedTable.hash("hot");
      ClientTable plain = table(new GcraBucket.Params(LIMIT), 1_000);
      long ph = plain.hash("hot");
      TokenLeasesTest.ExactBound bound = new TokenLeasesTest.ExactBound(LIMIT);
      SplittableRandom rnd = new SplittableRandom(1818);
      long now = 1_000_000;
      long plainAdmitted = 0;
      long leasedGrants = 0;
      for (int step = 0; step < 40_000; step++) {
        now += rnd.nextInt(100) == 0 ? 150_000 : rnd.nextInt(60);
        long at = now;
        int cost = 1 + rnd.nextInt(3);
        boolean denyLater = rnd.nextInt(8) == 0;
        ClientGeneration g = leasedTable.generation();
        long outcome = pool.get(rnd.nextInt(workers)).submit(() -> {
          long o = leasedTable.take(h, at, cost, g);
          if (o >= 0 && denyLater) {
            leasedTable.giveBack(h, () -> at, at, o, cost, g);
          }
          return o;
        }).get();
        if (outcome >= 0 && !denyLater) {
          bound.admit(at, cost);
          leasedGrants += leased(outcome) ? 1 : 0;
        }
        long d = plain.tryConsume(ph, at, cost, plain.generation());
        if (d >= 0) {
          if (denyLater) {
            plain.refund(ph, () -> at, at, d, cost, plain.generation());
          } else {
            plainAdmitted += cost;
          }
        }
      }
      long lease = leasedTable.params(h).leaseTokens;
      assertThat(leasedGrants).isPositive();
      assertThat(bound.admitted()).isGreaterThanOrEqualTo(plainAdmitted - (long) TokenLeases.CELLS * lease - 3);
    } finally {
      pool.forEach(ExecutorService::shutdownNow);
    }
  }

  @Test
  void leasedGrantsAndGiveBacksAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    threads.setThreadAllocatedMemoryEnabled(true);
    ClientTable t = hotTable(0);
    long h = t.hash("hot");
    long[] now = {0};
    Clock clock = () -> now[0];
    Runnable round = () -> {
      for (int i = 0; i < 100_000; i++) {
        now[0] += 37;
        ClientGeneration g = t.generation();
        long outcome = t.take(h, now[0], 1 + (i & 1), g);
        if ((i & 7) == 0 && outcome >= 0) {
          t.giveBack(h, clock, now[0], outcome, 1 + (i & 1), g);
        }
      }
    };
    round.run();
    round.run();
    long before = threads.getCurrentThreadAllocatedBytes();
    round.run();
    assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(1024);
  }
}
