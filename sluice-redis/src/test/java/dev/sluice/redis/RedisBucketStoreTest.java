package dev.sluice.redis;

import dev.sluice.testkit.RedisProcess;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/** The shared store suite against one real standalone redis-server. */
@Timeout(60)
class RedisBucketStoreTest extends RedisStoreSuite {

  private static RedisProcess redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.kill();
  }

  @Override
  RedisStoreBuilder connect(RedisStoreBuilder builder) {
    return builder.standalone(RedisURI.create(redis.uri()));
  }

  @Override
  String namespacePrefix() {
    return "suite";
  }

  @Override
  protected int randomSteps() {
    return 5_000;
  }
}
