package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LimiterTest {

  private static final long MS = 1_000_000L;
  private final ManualClock clock = new ManualClock(987_654_321L);

  private Limiter seedLimiter() {
    // The seeds' tiers, with a global limit the tiers share 60/40.
    Limit global = Limit.of(10_000, 5_000);
    return Limiter.create(LimiterSpec.builder()
        .tier("premium", Limit.of(8000, 4000), global.share(0.6))
        .tier("sandbox", Limit.of(2000, 1000), global.share(0.4))
        .defaultTier("sandbox")
        .global(global)
        .cost("POST", "/rate/llm/**", 3)
        .build(), clock);
  }

  @Test
  void admitsTheBurstAndReportsTheTightestLevel() {
    Limiter limiter = Limiter.create(LimiterSpec.builder().tier("t", Limit.of(5, 10)).build(), clock);
    for (int i = 4; i >= 0; i--) {
      Decision d = limiter.tryAcquire("alice", 1);
      assertThat(d.allowed()).isTrue();
      assertThat(d.remaining()).isEqualTo(i);
      assertThat(d.level()).isEqualTo(Level.CLIENT);
      assertThat(d.deniedBy()).isNull();
      assertThat(d.reason()).isEqualTo(Decision.Reason.ADMITTED);
    }
    Decision denied = limiter.tryAcquire("alice", 1);
    assertThat(denied.allowed()).isFalse();
    assertThat(denied.deniedBy()).isEqualTo(Level.CLIENT);
    assertThat(denied.retryAfterNanos()).isEqualTo(100 * MS);
    assertThat(denied.resetAfterNanos()).isEqualTo(500 * MS);
    assertThat(denied.limit()).isEqualTo(Limit.of(5, 10));
    assertThat(limiter.tryAcquire("bob", 1).allowed()).isTrue();
  }

  @Test
  void tryConsumeIsTheSameDecisionWithoutTheRecord() {
    Limiter limiter = seedLimiter();
    assertThat(limiter.tryConsume("a", "sandbox", 2000)).isTrue();
    assertThat(limiter.tryConsume("a", "sandbox", 1)).isFalse();
    assertThat(limiter.tryConsume("b", null, 2000)).isTrue();
    assertThat(limiter.tryConsume("c", null, 1)).isFalse(); // sandbox aggregate (4000) is spent
    assertThat(limiter.levels("c", null).get(0).tokens()).isEqualTo(2000); // refunded
    assertThat(limiter.tryConsume("p", "premium", 3)).isTrue();
    assertThatThrownBy(() -> limiter.tryConsume("p", "gold", 1)).isInstanceOf(UnknownTierException.class);
    assertThatThrownBy(() -> limiter.tryConsume("p", null, -1)).hasMessage("cost: -1 (expected: >= 1)");
  }

  @Test
  void retryAfterIsExactlyWhenTheSameRequestPasses() {
    Limiter limiter = Limiter.create(LimiterSpec.builder().tier("t", Limit.of(10, 4)).build(), clock);
    assertThat(limiter.tryAcquire("k", 9).allowed()).isTrue();
    Decision d = limiter.tryAcquire("k", 3);
    assertThat(d.allowed()).isFalse();
    long wait = d.retryAfterNanos();
    assertThat(wait).isEqualTo(500 * MS); // 2 tokens missing at 250 ms each
    clock.advance(wait - 1);
    assertThat(limiter.tryAcquire("k", 3).allowed()).isFalse();
    clock.advance(1);
    assertThat(limiter.tryAcquire("k", 3).allowed()).isTrue();
  }

  @Test
  void costAboveAnyBurstIsNeverAdmittedAndSaysWhy() {
    Limiter limiter = seedLimiter();
    Decision d = limiter.tryAcquire("carol", "sandbox", 2001);
    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo(Decision.Reason.COST_EXCEEDS_BURST);
    assertThat(d.deniedBy()).isEqualTo(Level.CLIENT);
    assertThat(d.retryAfterNanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(d.describe()).contains("exceeds the client burst of 2000 tokens");
    // Nothing was consumed anywhere.
    assertThat(limiter.levels("carol", "sandbox")).extracting(LevelState::tokens).containsExactly(2000L, 4000L, 10_000L);

    Decision tier = limiter.tryAcquire("dave", "premium", 7000); // client 8000 ok, tier share 6000 not
    assertThat(tier.reason()).isEqualTo(Decision.Reason.COST_EXCEEDS_BURST);
    assertThat(tier.deniedBy()).isEqualTo(Level.TIER);
    assertThat(limiter.levels("dave", "premium")).extracting(LevelState::tokens).containsExactly(8000L, 6000L, 10_000L);
  }

  @Test
  void aDenialAtALaterLevelRefundsTheEarlierOnes() {
    Limiter limiter = seedLimiter();
    // Sandbox aggregate is 4000 tokens; two clients of 2000 drain it.
    assertThat(limiter.tryAcquire("a", "sandbox", 2000).allowed()).isTrue();
    assertThat(limiter.tryAcquire("b", "sandbox", 2000).allowed()).isTrue();
    Decision d = limiter.tryAcquire("c", "sandbox", 5);
    assertThat(d.deniedBy()).isEqualTo(Level.TIER);
    assertThat(d.retryAfterNanos()).isEqualTo(Math.ceilDiv(1_000_000_000L * 5, 2000));
    assertThat(limiter.levels("c", "sandbox").get(0).tokens()).isEqualTo(2000);

    // Premium takes what is left of the global 10 000: 4000 remain after sandbox's 4000... 
    assertThat(limiter.tryAcquire("p1", "premium", 6000).allowed()).isTrue();
    Decision g = limiter.tryAcquire("p2", "premium", 1);
    assertThat(g.allowed()).isFalse();
    assertThat(g.deniedBy()).isIn(Level.TIER, Level.GLOBAL);
    assertThat(limiter.levels("p2", "premium").get(0).tokens()).isEqualTo(8000);
  }

  @Test
  void globalDenialRefundsClientAndTier() {
    Limiter limiter = Limiter.create(LimiterSpec.builder()
        .tier("t", Limit.of(100, 1), Limit.of(1000, 1))
        .global(Limit.of(150, 1))
        .build(), clock);
    assertThat(limiter.tryAcquire("x", 100).allowed()).isTrue();
    Decision d = limiter.tryAcquire("y", 60);
    assertThat(d.deniedBy()).isEqualTo(Level.GLOBAL);
    assertThat(d.retryAfterNanos()).isEqualTo(10_000 * MS);
    List<LevelState> y = limiter.levels("y", null);
    assertThat(y).extracting(LevelState::tokens).containsExactly(100L, 900L, 50L);
  }

  @Test
  void retryAfterCoversEveryLevelNotJustTheDenyingOne() {
    Limiter limiter = Limiter.create(LimiterSpec.builder()
        .tier("t", Limit.of(10, Rate.perSecond(1)), Limit.of(10, Rate.perSecond(10)))
        .build(), clock);
    assertThat(limiter.tryAcquire("a", 10).allowed()).isTrue(); // tier now empty, refills at 10/s
    Decision d = limiter.tryAcquire("a", 5); // client empty too, refills at 1/s
    assertThat(d.deniedBy()).isEqualTo(Level.CLIENT);
    assertThat(d.retryAfterNanos()).isEqualTo(5_000 * MS);
  }

  @Test
  void unknownTierAndBadArgumentsAreClearErrors() {
    Limiter limiter = seedLimiter();
    assertThatThrownBy(() -> limiter.tryAcquire("k", "gold", 1))
        .isInstanceOf(UnknownTierException.class)
        .hasMessage("tier: gold (expected: one of [premium, sandbox])");
    assertThatThrownBy(() -> limiter.tryAcquire("k", 0)).hasMessage("cost: 0 (expected: >= 1)");
    assertThatThrownBy(() -> limiter.tryAcquire(null, 1)).hasMessageContaining("key: null");
  }

  @Test
  void costRulesComeFromTheSpec() {
    Limiter limiter = seedLimiter();
    assertThat(limiter.costOf("POST", "/rate/llm/score")).isEqualTo(3);
    assertThat(limiter.costOf("GET", "/rate/llm/score")).isEqualTo(1);
  }

  @Test
  void reconfigurationKeepsTheFractionOfTokens() {
    Limiter limiter = Limiter.create(LimiterSpec.builder()
        .tier("t", Limit.of(100, 10), Limit.of(1000, 100)).global(Limit.of(10_000, 1000)).build(), clock);
    assertThat(limiter.tryAcquire("k", 25).allowed()).isTrue();
    limiter.setClientLimit("t", Limit.of(200, 20));
    limiter.setTierLimit("t", Limit.of(500, 50));
    limiter.setGlobalLimit(Limit.of(20_000, 2000));
    clock.advance(1); // a rescale that lands on the same instant is nudged 1 ns toward fewer tokens
    assertThat(limiter.levels("k", "t")).extracting(LevelState::tokens).containsExactly(150L, 487L, 19_950L);
    assertThat(limiter.levels("k", "t")).extracting(LevelState::limit)
        .containsExactly(Limit.of(200, 20), Limit.of(500, 50), Limit.of(20_000, 2000));
    // New clients get the new limit.
    assertThat(limiter.tryAcquire("new", 200).allowed()).isTrue();
    // Removing levels.
    limiter.setTierLimit("t", null);
    limiter.setGlobalLimit(null);
    assertThat(limiter.levels("k", "t")).extracting(LevelState::level).containsExactly(Level.CLIENT);
  }

  @Test
  void reconfigureSwapsTheWholeSpec() {
    Limiter limiter = seedLimiter();
    assertThat(limiter.tryAcquire("k", "premium", 4000).allowed()).isTrue();
    limiter.reconfigure(LimiterSpec.builder()
        .tier("premium", Limit.of(16_000, 8000))
        .tier("gold", Limit.of(10, 1))
        .build());
    clock.advance(1);
    assertThat(limiter.levels("k", "premium")).extracting(LevelState::tokens).containsExactly(8000L);
    assertThat(limiter.tryAcquire("k", "gold", 10).allowed()).isTrue();
    assertThatThrownBy(() -> limiter.tryAcquire("k", "sandbox", 1)).isInstanceOf(UnknownTierException.class);
    assertThat(limiter.tryAcquire("z", 1).level()).isEqualTo(Level.CLIENT); // default is now premium
  }

  @Test
  void idleBucketsExpireOnlyOnceFull() {
    Limiter limiter = Limiter.create(LimiterSpec.builder()
        .tier("t", Limit.of(100, 1)) // 100 s to refill from empty
        .idleExpiry(Duration.ofSeconds(10))
        .build(), clock);
    limiter.tryAcquire("k", 100);
    clock.advance(Duration.ofSeconds(50));
    limiter.cleanUp();
    assertThat(limiter.clientCount("t")).isEqualTo(1);
    assertThat(limiter.levels("k", "t").get(0).tokens()).isEqualTo(50);
    clock.advance(Duration.ofSeconds(101));
    limiter.cleanUp();
    assertThat(limiter.clientCount("t")).isZero();
  }
}
