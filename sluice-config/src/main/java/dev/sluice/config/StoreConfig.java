package dev.sluice.config;

import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.TierSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code store} section: where buckets live. Immutable; the loader validates every field, and
 * the compact constructor re-checks the invariants the server relies on.
 *
 * @param type {@code local} (buckets in this process) or {@code redis} (shared through Redis)
 * @param redisUri a standalone Redis, {@code redis://host:port} or {@code rediss://...}; {@code
 *     null} when {@code cluster} is given or the store is local
 * @param cluster Redis Cluster seed URIs; empty for a standalone Redis or a local store
 * @param namespace the hash tag every Redis key starts with
 * @param timeout how long a Redis call may take before the decision falls back
 * @param failureMode {@code local-share}, {@code fail-open} or {@code fail-closed}
 * @param breakerFailures consecutive failures that open the circuit breaker
 * @param breakerOpen how long the breaker stays open before probing
 * @param leasing whether hot buckets are leased to nodes
 * @param leasePeriod the lease period
 * @param overAdmission the fraction of {@code burst + rate * period} leases may hold, {@code 0 < f <= 0.1}
 * @param minLease the smallest lease worth taking, in tokens
 * @param heartbeat the heartbeat interval
 * @param nodeId this node's name in the heartbeat set, or {@code null} for a random one
 * @param aggregateShards the sub-buckets each aggregate level (tier aggregates, global) is split
 *     into in Redis, {@code 1..}{@value #MAX_AGGREGATE_SHARDS}; 1 leaves them whole
 */
public record StoreConfig(String type, String redisUri, List<String> cluster, String namespace, Duration timeout,
    String failureMode, int breakerFailures, Duration breakerOpen, boolean leasing, Duration leasePeriod,
    double overAdmission, long minLease, Duration heartbeat, String nodeId, int aggregateShards) {

  /** The most aggregate shards a Redis store takes. */
  public static final int MAX_AGGREGATE_SHARDS = 64;

  /** Store types. */
  public static final List<String> TYPES = List.of("local", "redis");

  /** Failure modes. */
  public static final List<String> FAILURE_MODES = List.of("local-share", "fail-open", "fail-closed");

  /** Local buckets; the Redis settings at their defaults. */
  public static final StoreConfig LOCAL = new StoreConfig("local", null, List.of(), "sluice", Duration.ofMillis(20),
      "local-share", 3, Duration.ofMillis(500), true, Duration.ofSeconds(1), 0.01, 8, Duration.ofSeconds(1), null, 1);

  /** Checks the type, that a Redis store names its Redis, and the numeric bounds. */
  public StoreConfig {
    cluster = cluster == null ? List.of() : List.copyOf(cluster);
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("store.type: " + type + " (expected: local or redis)");
    }
    if (type.equals("redis") && (redisUri == null) == cluster.isEmpty()) {
      throw new IllegalArgumentException(
          "store.redis: " + (redisUri == null ? "neither uri nor cluster" : "both uri and cluster")
              + " (expected: exactly one of uri, cluster)");
    }
    if (!FAILURE_MODES.contains(failureMode)) {
      throw new IllegalArgumentException("store.failure-mode: " + failureMode
          + " (expected: one of " + String.join(", ", FAILURE_MODES) + ")");
    }
    if (breakerFailures < 1 || minLease < 1 || !(overAdmission > 0 && overAdmission <= 0.1)) {
      throw new IllegalArgumentException("store: breaker failures " + breakerFailures + ", min lease " + minLease
          + ", over-admission " + overAdmission + " (expected: >= 1, >= 1, > 0 and <= 0.1)");
    }
    if (aggregateShards < 1 || aggregateShards > MAX_AGGREGATE_SHARDS) {
      throw new IllegalArgumentException("store.redis.aggregate-shards: " + aggregateShards
          + " (expected: an integer 1.." + MAX_AGGREGATE_SHARDS + ")");
    }
  }

  /** A store whose aggregate levels are not sharded ({@code aggregateShards} 1). */
  public StoreConfig(String type, String redisUri, List<String> cluster, String namespace, Duration timeout,
      String failureMode, int breakerFailures, Duration breakerOpen, boolean leasing, Duration leasePeriod,
      double overAdmission, long minLease, Duration heartbeat, String nodeId) {
    this(type, redisUri, cluster, namespace, timeout, failureMode, breakerFailures, breakerOpen, leasing,
        leasePeriod, overAdmission, minLease, heartbeat, nodeId, 1);
  }

  /**
   * Returns the problems of {@code spec} on this store: for a Redis store with {@code
   * aggregateShards} k &gt; 1, one line per aggregate level (tier aggregate or global) whose burst
   * is below k, as {@code path: burst B (expected: ...)}; empty otherwise. Each shard holds
   * {@code floor(burst / k)} tokens, so it needs at least one.
   */
  public List<String> aggregateShardProblems(LimiterSpec spec) {
    List<String> out = new ArrayList<>();
    if (!redis() || aggregateShards == 1) {
      return out;
    }
    for (TierSpec t : spec.tiers().values()) {
      shardProblem("tiers." + t.name() + ".aggregate", t.aggregate(), out);
    }
    shardProblem("global", spec.global(), out);
    return out;
  }

  private void shardProblem(String path, Limit limit, List<String> out) {
    if (limit != null && limit.burst() < aggregateShards) {
      out.add(path + ": burst " + limit.burst() + shardExpectation());
    }
  }

  /** The expectation every aggregate burst below {@code aggregateShards} is reported with. */
  String shardExpectation() {
    return " (expected: >= store.redis.aggregate-shards " + aggregateShards
        + ", one token per shard of the Redis store)";
  }

  /** Returns whether buckets live in Redis. */
  public boolean redis() {
    return type.equals("redis");
  }
}
