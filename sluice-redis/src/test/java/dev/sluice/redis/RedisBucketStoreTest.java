package dev.sluice.redis;

import dev.sluice.testkit.RedisProcess;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.BucketStore;
import dev.sluice.core.LimiterSpec;
import dev.sluice.testkit.AbstractBucketStoreTest;
import dev.sluice.testkit.ManualClock;
import io.lettuce.core.RedisURI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/** The shared store suite against one real standalone redis-server. */
@Timeout(60)
class RedisBucketStoreTest extends AbstractBucketStoreTest {

  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static RedisProcess redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.kill();
  }

  private final List<RedisBucketStore> stores = new ArrayList<>();

  /** Every decision must come from Redis: a suite passed by the fallback buckets would prove nothing. */
  @AfterEach
  void everyDecisionCameFromRedis() {
    for (RedisBucketStore s : stores) {
      assertThat(s.stats().errors()).as("redis errors").isZero();
      assertThat(s.stats().fallbackDecisions()).as("fallback decisions").isZero();
    }
  }

  @Override
  protected BucketStore createStore(LimiterSpec spec, ManualClock clock) {
    RedisBucketStore store = RedisBucketStore.builder(spec)
        .standalone(RedisURI.create(redis.uri()))
        .namespace("suite" + NAMESPACES.incrementAndGet())
        .clock(clock)
        .timeout(java.time.Duration.ofSeconds(5))
        .build();
    stores.add(store);
    return store;
  }

  @Override
  protected int randomSteps() {
    return 5_000;
  }
}
