package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.BucketStore;
import dev.sluice.core.Decision;
import dev.sluice.core.Level;
import dev.sluice.core.LevelState;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import dev.sluice.core.Rate;
import dev.sluice.core.UnknownTierException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The test suite every {@link BucketStore} passes: bucket math, weighted costs, all-or-nothing
 * levels, proportional reconfiguration and the invariant checker over random traffic. A store
 * under test must take its time from the given {@link ManualClock}.
 */
public abstract class AbstractBucketStoreTest {

  private static final long MS = 1_000_000L;

  private final List<BucketStore> opened = new ArrayList<>();

  /** Creates the store under test, enforcing {@code spec} on {@code clock}, with no buckets yet. */
  protected abstract BucketStore createStore(LimiterSpec spec, ManualClock clock);

  /** Returns the number of decisions the random-traffic test makes (smaller for remote stores). */
  protected int randomSteps() {
    return 20_000;
  }

  private BucketStore store(LimiterSpec spec, ManualClock clock) {
    BucketStore s = createStore(spec, clock);
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeStores() {
    opened.forEach(BucketStore::close);
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Decision acquire(BucketStore s, String key, String tier, int cost) {
    return await(s.acquire(key, tier, cost));
  }

  private static List<Long> tokens(BucketStore s, String key, String tier) {
    return await(s.levels(key, tier)).stream().map(LevelState::tokens).toList();
  }

  @Test
  void admitsTheBurstThenWaitsExactlyOneInterval() {
    ManualClock clock = new ManualClock(5_000_000_000L);
    BucketStore s = store(LimiterSpec.builder().tier("t", Limit.of(5, 10)).build(), clock);
    for (int i = 4; i >= 0; i--) {
      Decision d = acquire(s, "alice", null, 1);
      assertThat(d.allowed()).isTrue();
      assertThat(d.remaining()).isEqualTo(i);
    }
    Decision denied = acquire(s, "alice", null, 1);
    assertThat(denied.allowed()).isFalse();
    assertThat(denied.deniedBy()).isEqualTo(Level.CLIENT);
    assertThat(denied.retryAfterNanos()).isEqualTo(100 * MS);
    clock.advance(100 * MS - 1);
    assertThat(acquire(s, "alice", null, 1).allowed()).isFalse();
    clock.advance(1);
    assertThat(acquire(s, "alice", null, 1).allowed()).isTrue();
    assertThat(acquire(s, "bob", null, 1).allowed()).isTrue();
  }

  @Test
  void withoutConcurrencyLevelsDecisionsCarryNoPermit() {
    ManualClock clock = new ManualClock();
    BucketStore s = store(LimiterSpec.builder().tier("t", Limit.of(5, 10)).build(), clock);
    Decision d = acquire(s, "alice", null, 1);
    assertThat(d.allowed()).isTrue();
    assertThat(d.permit()).isZero();
    assertThat(s.release(d.permit())).isFalse();
    assertThat(s.release(1L << 32)).isFalse();
    assertThat(s.expiredPermits()).isZero();
    assertThat(await(s.aggregates()).tiersInFlight()).isEmpty();
    assertThat(await(s.aggregates()).globalInFlight()).isNull();
  }

  @Test
  void weightedCostsAndCostsAboveTheBurst() {
    ManualClock clock = new ManualClock();
    BucketStore s = store(LimiterSpec.builder()
        .tier("t", Limit.of(10, 1), Limit.of(8, 1)).build(), clock);
    assertThat(acquire(s, "k", "t", 3).remaining()).isEqualTo(5); // the tier level is tighter
    Decision never = acquire(s, "k", "t", 9);
    assertThat(never.reason()).isEqualTo(Decision.Reason.COST_EXCEEDS_BURST);
    assertThat(never.deniedBy()).isEqualTo(Level.TIER);
    assertThat(never.retryAfterNanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(tokens(s, "k", "t")).containsExactly(7L, 5L);
  }

  @Test
  void levelsAreAllOrNothing() {
    ManualClock clock = new ManualClock(-42);
    Rate slow = Rate.parse("1/h");
    BucketStore s = store(LimiterSpec.builder()
        .tier("t", Limit.of(100, slow), Limit.of(150, slow))
        .global(Limit.of(120, slow)).build(), clock);
    assertThat(acquire(s, "a", null, 100).allowed()).isTrue();
    Decision global = acquire(s, "b", null, 30);
    assertThat(global.deniedBy()).isEqualTo(Level.GLOBAL);
    assertThat(tokens(s, "b", null)).containsExactly(100L, 50L, 20L);
    assertThat(acquire(s, "b", null, 20).allowed()).isTrue();
    Decision tier = acquire(s, "c", null, 31);
    assertThat(tier.allowed()).isFalse();
    assertThat(tokens(s, "c", null)).containsExactly(100L, 30L, 0L);
  }

  @Test
  void retryAfterCoversEveryLevel() {
    ManualClock clock = new ManualClock();
    BucketStore s = store(LimiterSpec.builder()
        .tier("t", Limit.of(10, 1), Limit.of(10, 10)).build(), clock);
    assertThat(acquire(s, "a", null, 10).allowed()).isTrue();
    Decision d = acquire(s, "a", null, 5);
    assertThat(d.deniedBy()).isEqualTo(Level.CLIENT);
    assertThat(d.retryAfterNanos()).isEqualTo(5_000 * MS);
  }

  @Test
  void reconfigurationCarriesTokensOverProportionally() {
    ManualClock clock = new ManualClock();
    LimiterSpec before = LimiterSpec.builder()
        .tier("t", Limit.of(100, 10), Limit.of(1000, 100)).global(Limit.of(10_000, 1000)).build();
    BucketStore s = store(before, clock);
    assertThat(acquire(s, "k", null, 25).allowed()).isTrue();
    s.reconfigure(LimiterSpec.builder()
        .tier("t", Limit.of(200, 20), Limit.of(500, 50)).global(Limit.of(20_000, 2000)).build());
    clock.advance(1);
    assertThat(tokens(s, "k", null)).containsExactly(150L, 487L, 19_950L);
    assertThat(s.spec().global()).isEqualTo(Limit.of(20_000, 2000));
  }

  @Test
  void perClientOverridesAreEnforcedAndRemoved() {
    ManualClock clock = new ManualClock();
    LimiterSpec plain = LimiterSpec.builder().tier("t", Limit.of(5, 1)).build();
    LimiterSpec heavy = plain.withTier(plain.tiers().get("t").withClients(Map.of("heavy", Limit.of(20, 1))));
    BucketStore s = store(heavy, clock);
    assertThat(acquire(s, "heavy", null, 20).allowed()).isTrue();
    assertThat(acquire(s, "light", null, 6).allowed()).isFalse();
    assertThat(acquire(s, "light", null, 5).allowed()).isTrue();
    s.reconfigure(plain); // heavy is back on the tier's limit: 5 tokens at most
    clock.advance(30 * 1_000 * MS);
    assertThat(acquire(s, "heavy", null, 6).allowed()).isFalse();
    assertThat(acquire(s, "heavy", null, 5).allowed()).isTrue();
  }

  @Test
  void unknownTiersFailTheStage() {
    BucketStore s = store(LimiterSpec.builder().tier("t", Limit.of(1, 1)).build(), new ManualClock());
    assertThatThrownBy(() -> acquire(s, "k", "gold", 1)).isInstanceOf(UnknownTierException.class);
    assertThat(tokens(s, "never-seen", null)).containsExactly(1L);
  }

  @Test
  void randomTrafficNeverBreaksTheInvariant() {
    SplittableRandom rnd = new SplittableRandom(20261124);
    long start = 1_000_000_000_000L;
    ManualClock clock = new ManualClock(start);
    Limit perClient = Limit.of(20, 50);
    Limit tier = Limit.of(60, 120);
    Limit global = Limit.of(80, 150);
    BucketStore s = store(LimiterSpec.builder().tier("t", perClient, tier).global(global).build(), clock);
    Map<String, BucketInvariantChecker> clients = new HashMap<>();
    BucketInvariantChecker tierChecker = new BucketInvariantChecker("tier", tier, start);
    BucketInvariantChecker globalChecker = new BucketInvariantChecker("global", global, start);
    long admitted = 0;
    for (int i = 0; i < randomSteps(); i++) {
      clock.advance(rnd.nextLong(4 * MS));
      String key = "k" + rnd.nextInt(8);
      int cost = 1 + rnd.nextInt(4);
      long now = clock.nanoTime();
      clients.computeIfAbsent(key, k -> new BucketInvariantChecker(k, perClient, now));
      if (acquire(s, key, null, cost).allowed()) {
        admitted++;
        clients.get(key).onAdmit(now, cost);
        tierChecker.onAdmit(now, cost);
        globalChecker.onAdmit(now, cost);
      }
    }
    assertThat(admitted).isBetween(randomSteps() / 10L, randomSteps() * 9L / 10);
  }
}
