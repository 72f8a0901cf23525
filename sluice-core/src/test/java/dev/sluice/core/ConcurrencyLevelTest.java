package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The concurrency levels: permit accounting, expiry, all-or-nothing with tokens, reconfiguration. */
class ConcurrencyLevelTest {

  private static final long SECOND = 1_000_000_000L;
  private final ManualClock clock = new ManualClock(-5 * SECOND);

  private Limiter limiter(long global, long tier) {
    return Limiter.create(LimiterSpec.builder()
        .tier("t", Limit.of(1_000, 1_000), null, tier)
        .concurrency(global)
        .permitTimeout(Duration.ofSeconds(10))
        .build(), clock);
  }

  private static long globalInFlight(Limiter limiter) {
    InFlight g = limiter.aggregateLevels().globalInFlight();
    return g == null ? 0 : g.cost();
  }

  @Test
  void aPermitIsReleasedExactlyOnce() {
    Limiter limiter = limiter(3, 0);
    Decision d = limiter.tryAcquire("a", 2);
    assertThat(d.allowed()).isTrue();
    assertThat(d.permit()).isPositive();
    assertThat(d.reason()).isEqualTo(Decision.Reason.ADMITTED);
    assertThat(limiter.aggregateLevels().globalInFlight()).isEqualTo(new InFlight(2, 3));
    assertThat(limiter.release(d.permit())).isTrue();
    assertThat(limiter.release(d.permit())).isFalse();
    assertThat(limiter.aggregateLevels().globalInFlight()).isEqualTo(new InFlight(0, 3));
    assertThat(limiter.expirePermits()).isZero();
    clock.advance(60 * SECOND);
    assertThat(limiter.expirePermits()).isZero();
    assertThat(limiter.expiredPermits()).isZero();
  }

  @Test
  void staleForgedAndZeroHandlesChangeNothing() {
    Limiter limiter = limiter(5, 0);
    long first = limiter.tryAcquire("a", 1).permit();
    assertThat(limiter.release(first)).isTrue();
    long second = limiter.tryAcquire("a", 1).permit();
    assertThat(second).isNotEqualTo(first);
    assertThat(second & 0xffff_ffffL).isEqualTo(first & 0xffff_ffffL); // same slot, next generation
    assertThat(limiter.release(first)).isFalse();
    assertThat(limiter.release(0)).isFalse();
    assertThat(limiter.release(-1)).isFalse();
    assertThat(limiter.release(second + 1)).isFalse(); // a slot with no permit out
    assertThat(limiter.release(second + (1L << 32))).isFalse(); // a future generation
    assertThat(limiter.release((1L << 32) | 0x7fff_ffffL)).isFalse(); // beyond the table
    assertThat(globalInFlight(limiter)).isEqualTo(1);
    assertThat(limiter.release(second)).isTrue();
    assertThat(globalInFlight(limiter)).isZero();
  }

  @Test
  void aFullLevelDeniesWithInFlightAndRefundsTheTokens() {
    Limiter limiter = Limiter.create(LimiterSpec.builder()
        .tier("t", Limit.of(10, Rate.parse("1/h")), Limit.of(100, Rate.parse("1/h")), 0)
        .global(Limit.of(100, Rate.parse("1/h")))
        .concurrency(3)
        .build(), clock);
    List<Long> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(limiter.tryAcquire("a", 1).permit());
    }
    Decision d = limiter.tryAcquire("a", 1);
    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo(Decision.Reason.IN_FLIGHT);
    assertThat(d.deniedBy()).isEqualTo(Level.GLOBAL);
    assertThat(d.permit()).isZero();
    assertThat(d.remaining()).isZero();
    assertThat(d.retryAfterNanos()).isEqualTo(Decision.IN_FLIGHT_RETRY_NANOS);
    assertThat(d.limit()).isEqualTo(Limit.of(100, Rate.parse("1/h"))); // the global token limit
    assertThat(d.describe()).isEqualTo("the global concurrency limit is reached (0 in-flight cost free); retry in 1 ms");
    List<LevelState> levels = limiter.levels("a", "t");
    assertThat(levels.get(0).tokens()).isEqualTo(7); // the denied request's token came back
    assertThat(levels.get(1).tokens()).isEqualTo(97);
    assertThat(levels.get(2).tokens()).isEqualTo(97);
    assertThat(limiter.release(held.get(0))).isTrue();
    assertThat(limiter.tryAcquire("a", 1).allowed()).isTrue();
  }

  @Test
  void aTokenDenialTakesNoPermit() {
    Limiter limiter = Limiter.create(LimiterSpec.builder()
        .tier("t", Limit.of(2, Rate.parse("1/h")), null, 5)
        .concurrency(5)
        .build(), clock);
    assertThat(limiter.tryAcquire("a", 2).allowed()).isTrue();
    Decision d = limiter.tryAcquire("a", 1);
    assertThat(d.reason()).isEqualTo(Decision.Reason.EXHAUSTED);
    assertThat(d.permit()).isZero();
    AggregateLevels levels = limiter.aggregateLevels();
    assertThat(levels.globalInFlight()).isEqualTo(new InFlight(2, 5));
    assertThat(levels.tierInFlight("t")).isEqualTo(new InFlight(2, 5));
  }

  @Test
  void theTierLevelDeniesBeforeTheGlobalOneAndGivesBackNothingItDidNotTake() {
    Limiter limiter = Limiter.create(LimiterSpec.builder()
        .tier("small", Limit.of(100, 100), null, 2)
        .tier("big", Limit.of(100, 100), null, 0)
        .concurrency(4)
        .build(), clock);
    assertThat(limiter.tryAcquire("a", "small", 2).allowed()).isTrue();
    Decision tier = limiter.tryAcquire("b", "small", 1);
    assertThat(tier.reason()).isEqualTo(Decision.Reason.IN_FLIGHT);
    assertThat(tier.deniedBy()).isEqualTo(Level.TIER);
    assertThat(tier.limit()).isEqualTo(Limit.of(100, 100)); // no tier token level: the client's limit
    long big = limiter.tryAcquire("c", "big", 2).permit();
    assertThat(big).isPositive(); // the global level alone applies to "big"
    Decision global = limiter.tryAcquire("d", "big", 1);
    assertThat(global.deniedBy()).isEqualTo(Level.GLOBAL);
    AggregateLevels levels = limiter.aggregateLevels();
    assertThat(levels.tierInFlight("small")).isEqualTo(new InFlight(2, 2));
    assertThat(levels.tierInFlight("big")).isNull();
    assertThat(levels.globalInFlight()).isEqualTo(new InFlight(4, 4));
    assertThat(limiter.release(big)).isTrue();
    assertThat(limiter.aggregateLevels().tierInFlight("small")).isEqualTo(new InFlight(2, 2));
    assertThat(limiter.aggregateLevels().globalInFlight()).isEqualTo(new InFlight(2, 4));
  }

  @Test
  void aCostAboveTheMaximumIsNeverAdmitted() {
    Limiter limiter = limiter(4, 0);
    Decision d = limiter.tryAcquire("a", 5);
    assertThat(d.reason()).isEqualTo(Decision.Reason.IN_FLIGHT);
    assertThat(d.retryAfterNanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(d.describe()).isEqualTo(
        "the request's cost exceeds the global concurrency limit, so it can never be admitted");
    assertThat(limiter.levels("a", null).get(0).tokens()).isEqualTo(1_000);
  }

  @Test
  void anUnreleasedPermitExpiresAtItsDeadlineAndCountsOnce() {
    Limiter limiter = limiter(2, 0);
    long p = limiter.tryAcquire("a", 2).permit();
    clock.advance(10 * SECOND - 1);
    assertThat(limiter.expirePermits()).isZero();
    assertThat(limiter.tryAcquire("b", 1).reason()).isEqualTo(Decision.Reason.IN_FLIGHT);
    clock.advance(1);
    assertThat(limiter.expirePermits()).isEqualTo(1);
    assertThat(limiter.expiredPermits()).isEqualTo(1);
    assertThat(globalInFlight(limiter)).isZero();
    assertThat(limiter.release(p)).isFalse(); // too late: it expired
    assertThat(limiter.expirePermits()).isZero();
    clock.advance(100 * SECOND);
    assertThat(limiter.expirePermits()).isZero();
    assertThat(limiter.expiredPermits()).isEqualTo(1);
  }

  @Test
  void decisionsExpireOverduePermitsThemselves() {
    Limiter limiter = limiter(2, 0);
    limiter.tryAcquire("a", 1);
    clock.advance(3 * SECOND);
    long kept = limiter.tryAcquire("a", 1).permit();
    clock.advance(7 * SECOND); // the first permit is due, the second is not
    Decision d = limiter.tryAcquire("b", 1);
    assertThat(d.allowed()).isTrue();
    assertThat(limiter.expiredPermits()).isEqualTo(1);
    assertThat(limiter.release(kept)).isTrue();
    assertThat(limiter.release(d.permit())).isTrue();
    assertThat(globalInFlight(limiter)).isZero();
  }

  @Test
  void cleanUpExpiresToo() {
    Limiter limiter = limiter(2, 0);
    limiter.tryAcquire("a", 1);
    clock.advance(11 * SECOND);
    limiter.cleanUp();
    assertThat(limiter.expiredPermits()).isEqualTo(1);
  }

  @Test
  void aLoweredLimitAdmitsNothingUntilInFlightFallsBelowIt() {
    Limiter limiter = limiter(5, 0);
    List<Long> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(limiter.tryAcquire("a", 1).permit());
    }
    limiter.reconfigure(limiter.spec().withConcurrency(2));
    assertThat(limiter.aggregateLevels().globalInFlight()).isEqualTo(new InFlight(5, 2));
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire("a", 1).reason()).isEqualTo(Decision.Reason.IN_FLIGHT);
      assertThat(limiter.release(held.remove(0))).isTrue();
    }
    assertThat(globalInFlight(limiter)).isEqualTo(2);
    assertThat(limiter.tryAcquire("a", 1).allowed()).isFalse(); // at the limit is full
    assertThat(limiter.release(held.remove(0))).isTrue();
    assertThat(limiter.tryAcquire("a", 1).allowed()).isTrue();
  }

  @Test
  void aRaisedLimitGrowsTheTableAndAdmitsAtOnce() {
    Limiter limiter = limiter(3, 0);
    Set<Long> held = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      held.add(limiter.tryAcquire("a", 1).permit());
    }
    assertThat(limiter.tryAcquire("a", 1).allowed()).isFalse();
    limiter.reconfigure(limiter.spec().withConcurrency(900));
    for (int i = 0; i < 897; i++) {
      Decision d = limiter.tryAcquire("k" + i, 1);
      assertThat(d.allowed()).as("request %d", i).isTrue();
      held.add(d.permit());
    }
    assertThat(held).hasSize(900).doesNotContain(0L);
    assertThat(limiter.tryAcquire("a", 1).reason()).isEqualTo(Decision.Reason.IN_FLIGHT);
    for (long p : held) {
      assertThat(limiter.release(p)).isTrue();
    }
    assertThat(globalInFlight(limiter)).isZero();
  }

  @Test
  void permitsOfARemovedLevelStillFreeTheirCostWhenReleased() {
    Limiter limiter = limiter(2, 2);
    long p = limiter.tryAcquire("a", 2).permit();
    limiter.reconfigure(LimiterSpec.builder().tier("t", Limit.of(1_000, 1_000)).build());
    Decision free = limiter.tryAcquire("a", 5);
    assertThat(free.allowed()).isTrue();
    assertThat(free.permit()).isZero(); // no level applies any more
    AggregateLevels levels = limiter.aggregateLevels();
    assertThat(levels.globalInFlight()).isEqualTo(new InFlight(2, 0)); // shown while permits are out
    assertThat(levels.tierInFlight("t")).isEqualTo(new InFlight(2, 0));
    limiter.reconfigure(limiter.spec().withConcurrency(2));
    assertThat(limiter.tryAcquire("a", 1).allowed()).isFalse(); // the old permit still counts
    assertThat(limiter.release(p)).isTrue();
    assertThat(limiter.aggregateLevels().tierInFlight("t")).isNull();
    assertThat(limiter.tryAcquire("a", 2).allowed()).isTrue();
  }

  @Test
  void tryConsumeReleasesAtOnceAndTryConsumePermitHoldsThePermit() {
    Limiter limiter = limiter(2, 0);
    assertThat(limiter.tryConsume("a", null, 2)).isTrue();
    assertThat(globalInFlight(limiter)).isZero();
    long p = limiter.tryConsumePermit("a", null, 2);
    assertThat(p).isPositive();
    assertThat(limiter.tryConsumePermit("a", null, 1)).isEqualTo(-1);
    assertThat(limiter.tryConsume("a", null, 1)).isFalse();
    assertThat(limiter.release(p)).isTrue();
    Limiter plain = Limiter.create(LimiterSpec.builder().tier("t", Limit.of(1, 1)).build(), clock);
    assertThat(plain.tryConsumePermit("a", null, 1)).isZero();
    assertThat(plain.tryConsumePermit("a", null, 1)).isEqualTo(-1);
  }

  @Test
  void withoutConcurrencyLevelsNothingChanges() {
    Limiter limiter = Limiter.create(LimiterSpec.builder().tier("t", Limit.of(5, 10)).build(), clock);
    Decision d = limiter.tryAcquire("a", 1);
    assertThat(d.permit()).isZero();
    assertThat(limiter.release(1L << 32)).isFalse();
    assertThat(limiter.expirePermits()).isZero();
    assertThat(limiter.expiredPermits()).isZero();
    assertThat(limiter.aggregateLevels().tiersInFlight()).isEmpty();
    assertThat(limiter.aggregateLevels().globalInFlight()).isNull();
  }

  @Test
  void setLimitKeepsTheConcurrencyLevels() {
    Limiter limiter = limiter(3, 2);
    limiter.setGlobalLimit(Limit.of(10, 10));
    limiter.setTierLimit("t", Limit.of(10, 10));
    limiter.setClientLimit("t", Limit.of(10, 10));
    assertThat(limiter.spec().concurrency()).isEqualTo(3);
    assertThat(limiter.spec().tiers().get("t").concurrency()).isEqualTo(2);
    assertThat(limiter.spec().permitTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void theLocalStoreReleasesThroughTheLimiter() {
    Limiter limiter = limiter(1, 0);
    BucketStore store = BucketStore.local(limiter);
    Decision d = store.acquire("a", null, 1).toCompletableFuture().join();
    assertThat(store.release(d.permit())).isTrue();
    assertThat(store.release(d.permit())).isFalse();
    store.acquire("a", null, 1);
    clock.advance(10 * SECOND);
    assertThat(store.expirePermits()).isEqualTo(1);
    assertThat(store.expirePermits()).isZero();
    assertThat(store.expiredPermits()).isEqualTo(1);
  }

  @Test
  void specValidation() {
    assertThatThrownBy(() -> LimiterSpec.builder().tier("t", Limit.of(1, 1)).concurrency(-1).build())
        .hasMessage("global.concurrency: -1 (expected: >= 1, or 0 for none)");
    assertThatThrownBy(() -> LimiterSpec.builder().tier("t", Limit.of(1, 1), null, -2).build())
        .hasMessage("tiers.t.concurrency: -2 (expected: >= 1, or 0 for none)");
    assertThatThrownBy(() -> LimiterSpec.builder().tier("t", Limit.of(1, 1)).permitTimeout(Duration.ZERO).build())
        .hasMessage("global.permit-timeout: PT0S (expected: > 0)");
    LimiterSpec plain = LimiterSpec.builder().tier("t", Limit.of(1, 1)).build();
    assertThat(plain.hasConcurrency()).isFalse();
    assertThat(plain.permitTimeout()).isEqualTo(LimiterSpec.DEFAULT_PERMIT_TIMEOUT);
    assertThat(plain.withConcurrency(3).hasConcurrency()).isTrue();
    assertThat(plain.withTier(plain.tiers().get("t").withConcurrency(1)).hasConcurrency()).isTrue();
    assertThat(new TierSpec("t", Limit.of(1, 1), null).concurrency()).isZero();
  }

  @Test
  void aFullTableDeniesAsAFullLevel() {
    PermitTable table = new PermitTable();
    table.timeout(Duration.ofSeconds(1));
    table.ensureCapacity(10); // rounds up to one segment
    int capacity = table.capacity();
    table.global.max(10 * capacity);
    PermitTable.Counter tier = new PermitTable.Counter();
    List<Long> held = new ArrayList<>();
    for (int i = 0; i < capacity; i++) {
      held.add(table.acquire(tier, 0, 1));
    }
    assertThat(held).allMatch(p -> p > 0);
    assertThat(table.acquire(tier, 0, 1)).isEqualTo(PermitTable.FULL_GLOBAL);
    assertThat(table.global.cost()).isEqualTo(capacity); // the denied request took nothing
    assertThat(table.release(held.get(7))).isTrue();
    assertThat(table.acquire(tier, 0, 1)).isPositive();
    assertThat(table.expire(1_000_000_000L)).isEqualTo(capacity);
    assertThat(table.global.cost()).isZero();
  }
}
