package dev.sluice.core;

import static dev.sluice.core.TableOps.consume;
import static dev.sluice.core.TableOps.params;
import static dev.sluice.core.TableOps.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The client table at its size bound when every client holds debt: a decision on a new client
 * always terminates, the new client is stored, and the indebted clients forgotten for it are counted.
 */
class ClientTableBoundTest {

  private static final long HOUR = TimeUnit.HOURS.toNanos(1);
  private static final Duration BOUNDED = Duration.ofSeconds(20);

  @Test
  void aNewClientInATableFullOfIndebtedOnesIsDecidedAndStored() {
    // maxSize 5: the sweep's target (90 %) is the bound itself, so once the new (full) slot was
    // the one forgotten, the sweep had reached its target and the decision inserted again, forever.
    for (int maxSize = 1; maxSize <= 12; maxSize++) {
      int max = maxSize;
      ClientTable t = new ClientTable(params(10, 1), Map.of(), max, HOUR, 0, new KeyHash(17));
      for (int i = 0; i < max; i++) {
        assertThat(consume(t, "old-" + i, 0, 4)).isGreaterThanOrEqualTo(0); // 40 % debt each
      }
      assertThat(t.size()).isEqualTo(max);
      long r = assertTimeoutPreemptively(BOUNDED, () -> consume(t, "new", 0, 1), "decision on a new client, max " + max);
      assertThat(r).as("a fresh bucket, max %d", max).isEqualTo(1_000_000_000L);
      assertThat(tokens(t, "new", 0)).as("the new client's debt is kept, max %d", max).isEqualTo(9);
      assertThat(t.size()).as("size, max %d", max).isLessThanOrEqualTo(max);
      assertThat(t.evictedWithDebt()).as("indebted clients forgotten, max %d", max).isPositive();
    }
  }

  @Test
  void clientsWhoseLeasesMayGrantAreKeptAndTheNewClientToo() {
    // A sweep never forgets a slot a lease may still grant from; with the bound at 1 and one hot
    // client, a new client's slot was forgotten over and over. Now the table holds both, past the
    // bound by the hot client, until its leases end.
    GcraBucket.Params p = params(1024, 10_000_000);
    ClientTable t = new ClientTable(p, Map.of(), 1, HOUR, 0, new KeyHash(3));
    long hot = t.hash("hot");
    t.startLeasing(hot, 0);
    assertThat(t.take(hot, 0, 1, t.generation()) & TokenLeases.LEASED).as("a leased grant").isNotZero();
    long r = assertTimeoutPreemptively(BOUNDED, () -> consume(t, "new", 0, 1), "decision on a new client");
    assertThat(r).isEqualTo(100);
    assertThat(t.size()).as("the hot client and the new one").isEqualTo(2);
    assertThat(t.leases(hot)).as("still hot").isNotNull();
    assertThat(consume(t, "newer", 0, 1)).as("the next new client evicts the previous one").isEqualTo(100);
    assertThat(t.size()).isEqualTo(2);
    assertThat(t.evictedWithDebt()).isEqualTo(1);
  }

  @Test
  void aLimiterAtItsBoundAdmitsNewClientsAndCountsTheIndebtedOnesItForgets() {
    ManualClock clock = new ManualClock(0);
    Limiter l = Limiter.create(LimiterSpec.builder().tier("t", Limit.of(2, 1)).maxClientsPerTier(3).build(), clock);
    for (int i = 0; i < 3; i++) {
      assertThat(l.tryAcquire("old-" + i, "t", 2).allowed()).isTrue();
    }
    assertThat(l.evictedClients("t")).isZero();
    boolean admitted = assertTimeoutPreemptively(BOUNDED, () -> l.tryAcquire("new", "t", 2).allowed());
    assertThat(admitted).as("a new client gets a full bucket").isTrue();
    assertThat(l.tryAcquire("new", "t", 1).allowed()).as("and keeps its debt").isFalse();
    assertThat(l.clientCount("t")).isLessThanOrEqualTo(3);
    assertThat(l.evictedClients("t")).as("one drained client forgotten for it").isEqualTo(1);
    clock.advance(TimeUnit.SECONDS.toNanos(2));
    l.cleanUp();
    assertThat(l.clientCount("t")).as("all full again: forgotten exactly").isZero();
    assertThat(l.evictedClients("t")).as("full clients are not counted").isEqualTo(1);
  }
}
