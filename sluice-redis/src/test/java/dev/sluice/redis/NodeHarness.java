package dev.sluice.redis;

import dev.sluice.core.Clock;
import dev.sluice.core.Decision;
import dev.sluice.core.LimiterSpec;
import dev.sluice.testkit.Conditions;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Edge nodes for chaos tests, in this JVM: each node is its own {@link RedisBucketStore} with its
 * own Lettuce client, connection, node id, heartbeats and leases, so Redis sees separate nodes.
 * A crash is {@link RedisBucketStore#halt()}: the connection drops with no lease returned and no
 * heartbeat removed. (Why not processes: see docs/redis.md.)
 */
final class NodeHarness implements AutoCloseable {

  static final Clock CLOCK = Clock.system();

  final List<RedisBucketStore> nodes = new ArrayList<>();

  NodeHarness(int count, LimiterSpec spec, String redisUri, String namespace, boolean leasing) {
    this(count, spec, redisUri, namespace, leasing, b -> b);
  }

  /**
   * Starts {@code count} nodes; {@code options} may change any setting of each node's builder
   * (defaults here: heartbeat 100 ms, minimum lease 2) before it is built.
   */
  NodeHarness(int count, LimiterSpec spec, String redisUri, String namespace, boolean leasing,
      UnaryOperator<RedisStoreBuilder> options) {
    for (int i = 0; i < count; i++) {
      nodes.add(options.apply(RedisBucketStore.builder(spec)
          .standalone(RedisURI.create(redisUri))
          .namespace(namespace)
          .nodeId("node-" + i)
          .heartbeat(Duration.ofMillis(100))
          .leasing(leasing)
          .minLease(2))
          .build());
    }
    Conditions.await("every node sees " + count + " live nodes", Duration.ofSeconds(5),
        () -> nodes.stream().allMatch(n -> n.stats().liveNodes() == count));
  }

  /** Decides one request of cost 1 for {@code client} on node {@code i}, failing the test if it takes over {@code max}. */
  static Decision decide(RedisBucketStore node, String client, Duration max) {
    try {
      return node.acquire(client, null, 1).toCompletableFuture().get(max.toNanos(), TimeUnit.NANOSECONDS);
    } catch (Exception e) {
      throw new AssertionError("decision on " + node + " failed or took over " + max, e);
    }
  }

  @Override
  public void close() {
    nodes.forEach(RedisBucketStore::close);
  }
}
