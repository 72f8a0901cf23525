package dev.sluice.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.BucketStore;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import dev.sluice.testkit.AbstractBucketStoreTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;

/**
 * The shared store suite for a Redis deployment: each store gets its own namespace, and every
 * decision must come from Redis (a suite passed by the fallback buckets would prove nothing).
 */
abstract class RedisStoreSuite extends AbstractBucketStoreTest {

  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final List<RedisBucketStore> stores = new ArrayList<>();

  /** Points {@code builder} at the Redis under test. */
  abstract RedisStoreBuilder connect(RedisStoreBuilder builder);

  /** Returns the prefix of this suite's namespaces. */
  abstract String namespacePrefix();

  @AfterEach
  void everyDecisionCameFromRedis() {
    for (RedisBucketStore s : stores) {
      assertThat(s.stats().errors()).as("redis errors").isZero();
      assertThat(s.stats().fallbackDecisions()).as("fallback decisions").isZero();
    }
  }

  @Override
  protected BucketStore createStore(LimiterSpec spec, ManualClock clock) {
    RedisBucketStore store = connect(RedisBucketStore.builder(spec))
        .namespace(namespacePrefix() + NAMESPACES.incrementAndGet())
        .clock(clock)
        .timeout(Duration.ofSeconds(5))
        .build();
    stores.add(store);
    return store;
  }
}
