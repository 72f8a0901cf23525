package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A flood of distinct client keys must not grow the limiter without bound. */
class MemoryBoundTest {

  @Test
  void aMillionRandomKeysKeepAtMostTheConfiguredBuckets() {
    ManualClock clock = new ManualClock(-123);
    Limiter limiter = Limiter.create(LimiterSpec.builder()
        .tier("t", Limit.of(10, 1), Limit.of(1_000_000_000, 1_000_000_000))
        .maxClientsPerTier(10_000)
        .build(), clock);
    SplittableRandom rnd = new SplittableRandom(99);
    long peak = 0;
    for (int i = 0; i < 1_000_000; i++) {
      limiter.tryAcquire(Long.toHexString(rnd.nextLong()), 1);
      if ((i & 0xFFFF) == 0) {
        limiter.cleanUp();
        peak = Math.max(peak, limiter.clientCount("t"));
      }
      clock.advance(1_000);
    }
    limiter.cleanUp();
    assertThat(limiter.clientCount("t")).isLessThanOrEqualTo(10_000);
    assertThat(peak).isLessThanOrEqualTo(10_000);
  }

  @Test
  void aHotClientSurvivesAFloodOfOneOffKeys() {
    ManualClock clock = new ManualClock();
    Limiter limiter = Limiter.create(LimiterSpec.builder()
        .tier("t", Limit.of(100, 1)).maxClientsPerTier(1_000).build(), clock);
    SplittableRandom rnd = new SplittableRandom(5);
    assertThat(limiter.tryAcquire("hot", 100).allowed()).isTrue();
    for (int i = 0; i < 200_000; i++) {
      limiter.tryAcquire(i % 4 == 0 ? "hot" : "k" + rnd.nextLong(), 1);
    }
    limiter.cleanUp();
    // W-TinyLFU keeps the frequently used key, so its empty bucket is not forgotten.
    assertThat(limiter.levels("hot", "t").get(0).tokens()).isZero();
  }
}
