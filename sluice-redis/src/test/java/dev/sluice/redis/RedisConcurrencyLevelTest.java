package dev.sluice.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.testkit.RedisProcess;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Redis store does not enforce concurrency levels, so it refuses specs that have them. */
@Timeout(60)
class RedisConcurrencyLevelTest {

  private static final String EXPECTED = " (expected: none; concurrency levels need the local store,"
      + " the Redis store does not enforce them)";

  private final LimiterSpec plain = LimiterSpec.builder().tier("t", Limit.of(10, 10)).build();

  @Test
  void aSpecWithAConcurrencyLevelIsRejectedAtBuild() {
    assertThatThrownBy(() -> RedisBucketStore.builder(plain.withConcurrency(8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("global.concurrency: 8" + EXPECTED);
    LimiterSpec tier = plain.withTier(plain.tiers().get("t").withConcurrency(3));
    assertThatThrownBy(() -> RedisBucketStore.builder(tier))
        .hasMessage("tiers.t.concurrency: 3" + EXPECTED);
  }

  @Test
  void aReconfigurationToAConcurrencyLevelIsRejectedAndChangesNothing() {
    try (RedisProcess redis = RedisProcess.unstarted();
        RedisBucketStore store = RedisBucketStore.builder(plain)
            .standalone(RedisURI.create(redis.uri()))
            .namespace("concurrency-test")
            .timeout(Duration.ofMillis(200))
            .build()) {
      assertThatThrownBy(() -> store.reconfigure(plain.withConcurrency(8)))
          .hasMessage("global.concurrency: 8" + EXPECTED);
      assertThat(store.spec()).isEqualTo(plain);
      assertThat(store.release(1L << 32)).isFalse();
      assertThat(store.expiredPermits()).isZero();
    }
  }
}
