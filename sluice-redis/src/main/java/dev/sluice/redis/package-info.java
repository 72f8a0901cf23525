/**
 * The bucket store shared between edge nodes: {@link dev.sluice.redis.RedisBucketStore} keeps
 * GCRA buckets in Redis or Redis Cluster (one Lua script per decision over the client, tier and
 * global keys), leases slices of hot buckets to nodes so most decisions stay local, and falls back
 * to local buckets holding the node's share of each limit when Redis is unreachable. The public
 * types are the store, its builder, {@link dev.sluice.redis.FailureMode},
 * {@link dev.sluice.redis.ModeListener} and {@link dev.sluice.redis.StoreStats}; everything else
 * is package-private plumbing.
 */
package dev.sluice.redis;
