package dev.sluice.redis;

/**
 * The shared store suite against one real standalone redis-server with batching off: one
 * {@code gcra.lua} call per decision, the path {@link RedisBatchingTest} compares batches with.
 */
class RedisUnbatchedBucketStoreTest extends RedisBucketStoreTest {

  @Override
  RedisStoreBuilder connect(RedisStoreBuilder builder) {
    return super.connect(builder).batching(false);
  }

  @Override
  String namespacePrefix() {
    return "suite-unbatched";
  }
}
