package dev.sluice.config;

import static dev.sluice.config.Configs.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code store} section: local by default, Redis with every setting, bad fields on their lines. */
class StoreConfigTest {

  private static final String TIER = """
      tiers:
        free:
          per-client: {burst: 10, rate: 5/s}
      """;

  @Test
  void absentSectionIsLocal() throws ConfigException {
    assertThat(ConfigLoader.parse(TIER, "x.yaml").store()).isEqualTo(StoreConfig.LOCAL);
  }

  @Test
  void redisSettingsAreRead() throws ConfigException {
    StoreConfig s = ConfigLoader.parse(TIER + """
        store:
          type: redis
          redis: { uri: "redis://127.0.0.1:6379", namespace: edge, aggregate-shards: 3 }
          timeout: 15ms
          failure-mode: fail-closed
          breaker: { failures: 5, open: 1s }
          leasing: { enabled: false, period: 2s, over-admission: 0.05, min-lease: 4 }
          heartbeat: 500ms
          node-id: edge-1
        """, "x.yaml").store();
    assertThat(s).isEqualTo(new StoreConfig("redis", "redis://127.0.0.1:6379", List.of(), "edge",
        Duration.ofMillis(15), "fail-closed", 5, Duration.ofSeconds(1), false, Duration.ofSeconds(2), 0.05, 4,
        Duration.ofMillis(500), "edge-1", 3));
    assertThat(s.redis()).isTrue();
  }

  @Test
  void clusterSeedsAreRead() throws ConfigException {
    StoreConfig s = ConfigLoader.parse(TIER + """
        store:
          type: redis
          redis:
            cluster: ["redis://127.0.0.1:7000", "redis://127.0.0.1:7001"]
        """, "x.yaml").store();
    assertThat(s.cluster()).containsExactly("redis://127.0.0.1:7000", "redis://127.0.0.1:7001");
    assertThat(s.redisUri()).isNull();
  }

  @Test
  void badFieldsAreReportedOnTheirLines() {
    assertThat(problems(TIER + """
        store:
          type: memcached
          redis:
            uri: http://127.0.0.1:6379
            cluster: [12]
            db: 3
            aggregate-shards: 0
          timeout: 20
          failure-mode: fail-sometimes
          breaker: { failures: 0 }
          leasing: { over-admission: 0.5, min-lease: 0 }
        """)).containsExactly(
        "test.yaml:5: store.type: memcached (expected: one of local, redis)",
        "test.yaml:7: store.redis.uri: http://127.0.0.1:6379"
            + " (expected: a URI such as redis://127.0.0.1:6379 or rediss://host:6380)",
        "test.yaml:8: store.redis.cluster[0]: 12 (expected: a URI such as redis://127.0.0.1:6379 or rediss://host:6380)",
        "test.yaml:9: store.redis.db: unknown field (expected: one of uri, cluster, namespace, aggregate-shards)",
        "test.yaml:10: store.redis.aggregate-shards: 0 (expected: an integer 1..64)",
        "test.yaml:11: store.timeout: 20 (expected: a duration with a unit, such as 250ms, 10s, 2m, 1h or PT10S)",
        "test.yaml:12: store.failure-mode: fail-sometimes (expected: one of local-share, fail-open, fail-closed)",
        "test.yaml:13: store.breaker.failures: 0 (expected: an integer >= 1)",
        "test.yaml:14: store.leasing.over-admission: 0.5 (expected: a number > 0 and <= 0.1)",
        "test.yaml:14: store.leasing.min-lease: 0 (expected: an integer >= 1)");
  }

  @Test
  void aggregateShardsDefaultToOneAndAreBoundedByTheStore() throws ConfigException {
    assertThat(ConfigLoader.parse(TIER + """
        store:
          type: redis
          redis: { uri: "redis://127.0.0.1:6379" }
        """, "x.yaml").store().aggregateShards()).isEqualTo(1);
    assertThat(ConfigLoader.parse(TIER + """
        store:
          type: redis
          redis: { uri: "redis://127.0.0.1:6379", aggregate-shards: 64 }
        """, "x.yaml").store().aggregateShards()).isEqualTo(64);
    assertThat(problems(TIER + """
        store:
          type: redis
          redis:
            uri: "redis://127.0.0.1:6379"
            aggregate-shards: 65
        """)).containsExactly("test.yaml:8: store.redis.aggregate-shards: 65 (expected: an integer 1..64)");
    assertThat(problems(TIER + """
        store:
          type: redis
          redis: { uri: "redis://127.0.0.1:6379", aggregate-shards: two }
        """)).containsExactly("test.yaml:6: store.redis.aggregate-shards: two (expected: an integer 1..64)");
    assertThatThrownBy(() -> new StoreConfig("redis", "redis://h:1", List.of(), "ns", Duration.ofMillis(20),
        "fail-open", 3, Duration.ofSeconds(1), true, Duration.ofSeconds(1), 0.01, 8, Duration.ofSeconds(1), null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("store.redis.aggregate-shards: 0 (expected: an integer 1..64)");
  }

  @Test
  void everyAggregateBurstBelowTheShardsIsReportedOnItsLine() {
    assertThat(problems("""
        tiers:
          free:
            per-client: { burst: 10, rate: 5/s }
            aggregate: { burst: 2, rate: 5/s }
          paid:
            per-client: { burst: 10, rate: 5/s }
            share: 0.01
          pro:
            per-client: { burst: 10, rate: 5/s }
            aggregate: { burst: 3, rate: 5/s }
        global: { burst: 200, rate: 100/s }
        store:
          type: redis
          redis: { uri: "redis://127.0.0.1:6379", aggregate-shards: 3 }
        """)).containsExactly(
        "test.yaml:4: tiers.free.aggregate.burst: 2"
            + " (expected: >= store.redis.aggregate-shards 3, one token per shard of the Redis store)",
        "test.yaml:7: tiers.paid.share: 0.01 gives an aggregate burst of 2"
            + " (expected: >= store.redis.aggregate-shards 3, one token per shard of the Redis store)");
    assertThat(problems("""
        tiers:
          free:
            per-client: { burst: 10, rate: 5/s }
        global:
          burst: 4
          rate: 1/s
        store:
          type: redis
          redis: { uri: "redis://127.0.0.1:6379", aggregate-shards: 5 }
        """)).containsExactly("test.yaml:5: global.burst: 4"
            + " (expected: >= store.redis.aggregate-shards 5, one token per shard of the Redis store)");
  }

  @Test
  void burstsAreCheckedAgainstTheShardsOfARedisStoreOnly() throws ConfigException {
    String limits = """
        tiers:
          free:
            per-client: { burst: 10, rate: 5/s }
            aggregate: { burst: 2, rate: 5/s }
        global: { burst: 2, rate: 1/s }
        """;
    SluiceConfig two = ConfigLoader.parse(limits + """
        store:
          type: redis
          redis: { uri: "redis://127.0.0.1:6379", aggregate-shards: 2 }
        """, "x.yaml");
    assertThat(two.store().aggregateShardProblems(two.limiterSpec())).isEmpty();
    SluiceConfig local = ConfigLoader.parse(limits + """
        store:
          type: local
          redis: { uri: "redis://127.0.0.1:6379", aggregate-shards: 3 }
        """, "x.yaml");
    assertThat(local.store().aggregateShardProblems(local.limiterSpec())).isEmpty();
    StoreConfig three = new StoreConfig("redis", "redis://h:1", List.of(), "ns", Duration.ofMillis(20),
        "fail-open", 3, Duration.ofSeconds(1), true, Duration.ofSeconds(1), 0.01, 8, Duration.ofSeconds(1), null, 3);
    assertThat(three.aggregateShardProblems(two.limiterSpec())).containsExactly(
        "tiers.free.aggregate: burst 2 (expected: >= store.redis.aggregate-shards 3, one token per shard of the Redis"
            + " store)",
        "global: burst 2 (expected: >= store.redis.aggregate-shards 3, one token per shard of the Redis store)");
  }

  @Test
  void adaptiveScalingKeepsEveryBurstAtTheShardsAtLeast() throws ConfigException {
    String config = """
        tiers:
          free:
            per-client: { burst: 10, rate: 5/s }
        global: { burst: 100, rate: 50/s }
        adaptive:
          enabled: true
          min-burst: %d
        store:
          type: %s
          redis: { uri: "redis://127.0.0.1:6379", aggregate-shards: 4 }
        """;
    assertThat(ConfigLoader.parse(config.formatted(2, "redis"), "x.yaml").adaptive().minBurst()).isEqualTo(4);
    assertThat(ConfigLoader.parse(config.formatted(9, "redis"), "x.yaml").adaptive().minBurst()).isEqualTo(9);
    assertThat(ConfigLoader.parse(config.formatted(2, "local"), "x.yaml").adaptive().minBurst()).isEqualTo(2);
  }

  @Test
  void redisStoreNeedsARedis() {
    assertThat(problems(TIER + """
        store:
          type: redis
        """)).containsExactly(
        "test.yaml:4: store.redis.uri: missing (expected: uri: redis://host:port, or cluster: [seed URIs])");
    assertThat(problems(TIER + """
        store:
          type: redis
          redis: { namespace: x }
        """)).containsExactly(
        "test.yaml:6: store.redis.uri: missing (expected: uri: redis://host:port, or cluster: [seed URIs])");
  }
}
