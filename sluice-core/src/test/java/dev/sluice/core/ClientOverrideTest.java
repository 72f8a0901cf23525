package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-client overrides ({@link TierSpec#clients()}): set, changed and removed while buckets exist. */
class ClientOverrideTest {

  private static final long S = 1_000_000_000L;

  private static LimiterSpec spec(Map<String, Limit> overrides) {
    LimiterSpec base = LimiterSpec.builder().tier("t", Limit.of(10, 10)).build();
    return base.withTier(base.tiers().get("t").withClients(overrides));
  }

  /** Returns how many cost-1 requests {@code key} gets admitted in a row right now. */
  private static int drain(Limiter limiter, String key) {
    int n = 0;
    while (limiter.tryAcquire(key, "t", 1).allowed()) {
      n++;
    }
    return n;
  }

  @Test
  void anOverriddenClientGetsItsOwnLimitAndOthersTheTiers() {
    ManualClock clock = new ManualClock(0);
    Limiter limiter = Limiter.create(spec(Map.of("heavy", Limit.of(40, 40))), clock);
    assertThat(drain(limiter, "heavy")).isEqualTo(40);
    assertThat(drain(limiter, "light")).isEqualTo(10);
    clock.advance(S);
    assertThat(drain(limiter, "heavy")).isEqualTo(40); // refills at 40/s
    assertThat(drain(limiter, "light")).isEqualTo(10);
    assertThat(limiter.levels("other", "t").getFirst().limit()).isEqualTo(Limit.of(10, 10));
    assertThat(limiter.levels("heavy", "t").getFirst().limit()).isEqualTo(Limit.of(40, 40));
  }

  @Test
  void existingBucketsMoveWhenAnOverrideAppearsChangesAndIsRemoved() {
    ManualClock clock = new ManualClock(0);
    Limiter limiter = Limiter.create(spec(Map.of()), clock);
    assertThat(drain(limiter, "heavy")).isEqualTo(10);
    limiter.reconfigure(spec(Map.of("heavy", Limit.of(30, 30))));
    clock.advance(2 * S); // full again: carry-over rounding does not matter
    assertThat(drain(limiter, "heavy")).isEqualTo(30);
    limiter.reconfigure(spec(Map.of("heavy", Limit.of(20, 20))));
    clock.advance(2 * S); // full again: carry-over rounding does not matter
    assertThat(drain(limiter, "heavy")).isEqualTo(20);
    limiter.reconfigure(spec(Map.of()));
    clock.advance(2 * S); // full again: carry-over rounding does not matter
    assertThat(drain(limiter, "heavy")).isEqualTo(10); // back to the tier's limit
  }

  @Test
  void aTierLimitChangeKeepsTheOverridesAndTheOverridesFollowTheSpec() {
    ManualClock clock = new ManualClock(0);
    Limiter limiter = Limiter.create(spec(Map.of("heavy", Limit.of(40, 40))), clock);
    drain(limiter, "heavy");
    drain(limiter, "light");
    limiter.setClientLimit("t", Limit.of(5, 5));
    clock.advance(2 * S); // full again: carry-over rounding does not matter
    assertThat(drain(limiter, "light")).isEqualTo(5);
    assertThat(drain(limiter, "heavy")).isEqualTo(40);
    assertThat(limiter.spec().tiers().get("t").clientLimit("heavy")).isEqualTo(Limit.of(40, 40));
    assertThat(limiter.spec().tiers().get("t").clientLimit("light")).isEqualTo(Limit.of(5, 5));
  }
}
