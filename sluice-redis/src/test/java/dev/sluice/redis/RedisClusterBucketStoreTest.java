package dev.sluice.redis;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * The shared store suite against a Redis Cluster of three masters. Each store gets its own
 * namespace, so the suite's stores land on different slots and masters.
 */
@Timeout(60)
class RedisClusterBucketStoreTest extends RedisStoreSuite {

  private static RedisClusterProcesses cluster;

  @BeforeAll
  static void startCluster() {
    cluster = new RedisClusterProcesses();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Override
  RedisStoreBuilder connect(RedisStoreBuilder builder) {
    return builder.cluster(cluster.seeds());
  }

  @Override
  String namespacePrefix() {
    return "cluster-suite";
  }

  @Override
  protected int randomSteps() {
    return 3_000;
  }
}
