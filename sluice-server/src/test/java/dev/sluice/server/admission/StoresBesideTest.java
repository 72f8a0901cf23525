package dev.sluice.server.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.StoreConfig;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import dev.sluice.core.Rate;
import dev.sluice.redis.RedisBucketStore;
import dev.sluice.testkit.RedisProcess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Stores#openBeside}: the store kind of the server's config, on one real redis-server
 * shared by every store opened from the same config and apart from the edge's keys.
 */
@Timeout(60)
class StoresBesideTest {

  static StoreConfig store(String yamlStore) throws Exception {
    return ConfigLoader.parse(yamlStore + "tiers:\n  free:\n    per-client: {burst: 5, rate: 5/s}\n", "t.yaml")
        .store();
  }

  static final LimiterSpec SPEC = LimiterSpec.builder().tier("free", Limit.of(2, Rate.of(2, TimeUnit.HOURS))).build();

  @Test
  void onRedisTheStoresOfOneConfigShareBucketsApartFromTheEdge() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      StoreConfig c = store("store:\n  type: redis\n  redis: {uri: \"" + redis.uri() + "\", namespace: n1}\n");
      try (BucketStore a = Stores.openBeside(c, "envoy", SPEC, new ManualClock());
          BucketStore b = Stores.openBeside(c, "envoy", SPEC, new ManualClock());
          BucketStore edge = Stores.open(c, SPEC, new ManualClock(), new SimpleMeterRegistry())) {
        assertThat(a).isInstanceOf(RedisBucketStore.class);
        assertThat(a.acquire("k", "free", 2).toCompletableFuture().join().allowed()).isTrue();
        assertThat(b.acquire("k", "free", 1).toCompletableFuture().join().allowed())
            .as("the second store sees the first one's hits").isFalse();
        assertThat(edge.acquire("k", "free", 2).toCompletableFuture().join().allowed())
            .as("the edge's buckets are others").isTrue();
      }
    }
  }

  @Test
  void onRedisTheStoreBesideHasItsOwnTaggedMeters() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      StoreConfig c = store("store:\n  type: redis\n  redis: {uri: \"" + redis.uri() + "\", namespace: n2}\n");
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (BucketStore edge = Stores.open(c, SPEC, new ManualClock(), registry);
          BucketStore envoy = Stores.openBeside(c, "envoy", SPEC, new ManualClock(), registry, "envoy")) {
        assertThat(java.util.List.of(edge, envoy)).allMatch(RedisBucketStore.class::isInstance);
        for (String store : new String[] {"edge", "envoy"}) {
          assertThat(registry.get("sluice.store.mode").tags("mode", "redis", "store", store).gauge().value())
              .as(store).isEqualTo(1.0);
          assertThat(registry.get("sluice.store.errors").tags("store", store).functionCounter().count())
              .as(store).isZero();
        }
      }
      assertThatThrownBy(() -> Stores.openBeside(c, "envoy", SPEC, new ManualClock(), registry, "edge"))
          .hasMessage("store name: edge (expected: a name other than edge)");
    }
  }

  @Test
  void locallyEachStoreIsItsOwn() throws Exception {
    StoreConfig c = store("");
    try (BucketStore a = Stores.openBeside(c, "envoy", SPEC, new ManualClock());
        BucketStore b = Stores.openBeside(c, "envoy", SPEC, new ManualClock())) {
      assertThat(a).isNotInstanceOf(RedisBucketStore.class);
      assertThat(a.acquire("k", "free", 2).toCompletableFuture().join().allowed()).isTrue();
      assertThat(b.acquire("k", "free", 2).toCompletableFuture().join().allowed()).isTrue();
    }
    assertThatThrownBy(() -> Stores.openBeside(c, "", SPEC, new ManualClock()))
        .hasMessage("namespace part: empty");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (BucketStore local = Stores.openBeside(c, "envoy", SPEC, new ManualClock(), registry, "envoy")) {
      assertThat(local).isNotInstanceOf(RedisBucketStore.class);
      assertThat(registry.getMeters()).as("a local store has no store meters").isEmpty();
    }
  }
}
