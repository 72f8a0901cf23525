package dev.sluice.server;

import dev.sluice.config.StoreConfig;
import dev.sluice.core.LimiterSpec;
import dev.sluice.redis.FailureMode;
import dev.sluice.redis.RedisBucketStore;
import dev.sluice.redis.RedisStoreBuilder;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * Opens the Redis bucket store a {@code store} section describes and exports its state; stateless.
 *
 * <p>Metrics: {@code sluice_store_mode{mode}} is 1 for the mode decisions are made in now ({@code
 * redis}, or the configured failure mode while Redis is unreachable) and 0 for the other, and
 * {@code sluice_store_errors_total} counts failed or timed-out Redis calls, both read from {@link
 * RedisBucketStore#stats()} at scrape time.
 */
final class Stores {

  private Stores() {}

  /** Returns a connected store enforcing {@code spec} with the settings of {@code c} (a Redis store). */
  static RedisBucketStore open(StoreConfig c, LimiterSpec spec) {
    RedisStoreBuilder b = RedisBucketStore.builder(spec);
    if (c.redisUri() != null) {
      b.standalone(RedisURI.create(c.redisUri()));
    } else {
      b.cluster(c.cluster().stream().map(RedisURI::create).toList());
    }
    b.namespace(c.namespace())
        .timeout(c.timeout())
        .failureMode(FailureMode.parse(c.failureMode()))
        .circuitBreaker(c.breakerFailures(), c.breakerOpen())
        .leasing(c.leasing())
        .lease(c.leasePeriod(), c.overAdmission())
        .minLease(c.minLease())
        .heartbeat(c.heartbeat());
    if (c.nodeId() != null) {
      b.nodeId(c.nodeId());
    }
    return b.build();
  }

  /** Registers the store's mode gauges and error counter in {@code registry}. */
  static void export(RedisBucketStore store, StoreConfig c, MeterRegistry registry) {
    for (String mode : List.of("redis", c.failureMode())) {
      Gauge.builder("sluice.store.mode", store, s -> s.stats().mode().equals(mode) ? 1 : 0)
          .tag("mode", mode)
          .description("1 for the mode bucket decisions are made in now: redis, or the failure mode")
          .register(registry);
    }
    FunctionCounter.builder("sluice.store.errors", store, s -> s.stats().errors())
        .description("Redis calls that failed or timed out")
        .register(registry);
  }
}
