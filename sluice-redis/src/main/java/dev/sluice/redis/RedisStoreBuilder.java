package dev.sluice.redis;

import dev.sluice.core.Clock;
import dev.sluice.core.LimiterSpec;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;

/**
 * Builds a {@link RedisBucketStore}; every setting has a default except where Redis is. Not
 * thread-safe; each setter validates its argument with a message naming the setting.
 */
public final class RedisStoreBuilder {

  final LimiterSpec spec;
  RedisURI standalone;
  List<RedisURI> cluster;
  String namespace = "sluice";
  Clock clock;
  Clock systemClock = Clock.system();
  Duration timeout = Duration.ofMillis(20);
  FailureMode failureMode = FailureMode.LOCAL_SHARE;
  int breakerFailures = 3;
  Duration breakerOpen = Duration.ofMillis(500);
  boolean leasing = true;
  Duration leasePeriod = Duration.ofSeconds(1);
  double overAdmission = 0.01;
  long minLease = 8;
  boolean batching = true;
  int maxBatch = 128;
  int batchesInFlight = 1;
  Duration heartbeat = Duration.ofSeconds(1);
  String nodeId;
  int aggregateShards = 1;
  ModeListener modeListener = (from, to) -> { };

  RedisStoreBuilder(LimiterSpec spec) {
    if (spec == null) {
      throw new IllegalArgumentException("spec: null");
    }
    RedisBucketStore.checkNoConcurrency(spec);
    this.spec = spec;
  }

  /** Uses one standalone Redis server, e.g. {@code RedisURI.create("redis://127.0.0.1:6379")}. */
  public RedisStoreBuilder standalone(RedisURI uri) {
    this.standalone = require("standalone", uri);
    this.cluster = null;
    return this;
  }

  /** Uses a Redis Cluster reached through {@code seeds}. */
  public RedisStoreBuilder cluster(List<RedisURI> seeds) {
    if (seeds == null || seeds.isEmpty()) {
      throw new IllegalArgumentException("cluster: " + seeds + " (expected: at least one seed node)");
    }
    this.cluster = List.copyOf(seeds);
    this.standalone = null;
    return this;
  }

  /** Sets the namespace, the hash tag every key starts with (default {@code sluice}). */
  public RedisStoreBuilder namespace(String namespace) {
    new KeySpace(namespace);
    this.namespace = namespace;
    return this;
  }

  /**
   * Takes bucket time from {@code clock} (nanoseconds, passed to the script) instead of Redis
   * {@code TIME}: for tests and simulation; every node on the same keys must use the same source.
   */
  public RedisStoreBuilder clock(Clock clock) {
    this.clock = require("clock", clock);
    return this;
  }

  /** Sets the clock of timeouts, the circuit breaker and leases (default {@link Clock#system()}). */
  public RedisStoreBuilder systemClock(Clock clock) {
    this.systemClock = require("system clock", clock);
    return this;
  }

  /** Sets how long a Redis call may take before the decision falls back (default 20 ms). */
  public RedisStoreBuilder timeout(Duration timeout) {
    this.timeout = positive("timeout", timeout);
    return this;
  }

  /** Sets what to do while Redis is unreachable (default {@link FailureMode#LOCAL_SHARE}). */
  public RedisStoreBuilder failureMode(FailureMode mode) {
    this.failureMode = require("failure mode", mode);
    return this;
  }

  /** Opens the circuit after {@code failures} consecutive failures, for {@code open} (default 3, 500 ms). */
  public RedisStoreBuilder circuitBreaker(int failures, Duration open) {
    if (failures < 1) {
      throw new IllegalArgumentException("breaker failures: " + failures + " (expected: >= 1)");
    }
    this.breakerFailures = failures;
    this.breakerOpen = positive("breaker open", open);
    return this;
  }

  /** Turns leasing of hot buckets on or off (default on). */
  public RedisStoreBuilder leasing(boolean on) {
    this.leasing = on;
    return this;
  }

  /**
   * Sets the lease period P and the over-admission fraction f (default 1 s and 0.01): leases across
   * all nodes hold at most {@code f * (burst + rate * P)} tokens of a bucket.
   */
  public RedisStoreBuilder lease(Duration period, double overAdmission) {
    this.leasePeriod = positive("lease period", period);
    if (!(overAdmission > 0 && overAdmission <= 0.1)) {
      throw new IllegalArgumentException("over-admission: " + overAdmission + " (expected: > 0 and <= 0.1)");
    }
    this.overAdmission = overAdmission;
    return this;
  }

  /** Sets the smallest lease worth taking, in tokens (default 8); colder buckets go to Redis. */
  public RedisStoreBuilder minLease(long tokens) {
    if (tokens < 1) {
      throw new IllegalArgumentException("min lease: " + tokens + " (expected: >= 1)");
    }
    this.minLease = tokens;
    return this;
  }

  /**
   * Turns batching on or off (default on): decisions that need Redis while a call is in flight
   * queue and go out together in the next call, evaluated in arrival order, so many cold clients
   * share a round trip; off, every decision is its own call.
   */
  public RedisStoreBuilder batching(boolean on) {
    this.batching = on;
    return this;
  }

  /** Sets the most decisions one batch call carries (default 128); more wait for the next call. */
  public RedisStoreBuilder maxBatch(int decisions) {
    if (decisions < 1 || decisions > 10_000) {
      throw new IllegalArgumentException("max batch: " + decisions + " (expected: 1 to 10000)");
    }
    this.maxBatch = decisions;
    return this;
  }

  /**
   * Sets how many batch calls of one batcher may be out at once (default 1; 1 to 8): with 2, Redis
   * can run the next batch while this node handles the reply of the last (the calls a reply frees
   * up are then sent from a thread of the store, still in queue order; docs/redis.md, "Batching").
   * Measured no faster on a loaded 2-core machine, where the run is CPU-bound.
   */
  public RedisStoreBuilder batchesInFlight(int calls) {
    if (calls < 1 || calls > 8) {
      throw new IllegalArgumentException("batches in flight: " + calls + " (expected: 1 to 8)");
    }
    this.batchesInFlight = calls;
    return this;
  }

  /** Sets the heartbeat interval (default 1 s); a node is live for three intervals after its last beat. */
  public RedisStoreBuilder heartbeat(Duration interval) {
    this.heartbeat = positive("heartbeat", interval);
    return this;
  }

  /**
   * Splits every aggregate level (tier aggregates and global) into {@code shards} sub-buckets under
   * different hash tags (default 1: not split), so that on a Cluster the aggregates are spread over
   * masters instead of being one hot slot. Each shard enforces {@code burst / shards} (rounded down)
   * at {@code rate / shards}; a client's bucket and its Redis decisions live in one shard (by a hash
   * of its key), a node's leases draw from its home shard first and spill to the others. A single
   * decision can then take at most {@code burst / shards} from a level, and a burst concentrated on
   * few clients gets only their shards' share (see docs/redis.md). All nodes on a namespace must use
   * the same value; every aggregate's burst must be at least {@code shards}.
   */
  public RedisStoreBuilder aggregateShards(int shards) {
    if (shards < 1 || shards > KeySpace.MAX_SHARDS) {
      throw new IllegalArgumentException("aggregate shards: " + shards + " (expected: 1 to " + KeySpace.MAX_SHARDS + ")");
    }
    AggregateShards.check(spec, shards);
    this.aggregateShards = shards;
    return this;
  }

  /** Names this node in the heartbeat set (default a random UUID). */
  public RedisStoreBuilder nodeId(String id) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("node id: " + id + " (expected: non-blank)");
    }
    this.nodeId = id;
    return this;
  }

  /**
   * Sets who hears of the store's mode: the mode it starts in, then every change between {@code
   * redis} and the failure mode (default: nobody). See {@link ModeListener} for the threading.
   */
  public RedisStoreBuilder modeListener(ModeListener listener) {
    this.modeListener = require("mode listener", listener);
    return this;
  }

  /**
   * Connects, waiting up to two seconds for Redis, and returns the store. A Redis that does not
   * answer by then means starting in the failure mode (the circuit breaker open) until a heartbeat
   * or a probing decision gets through.
   */
  public RedisBucketStore build() {
    RedisLink link;
    if (standalone != null) {
      link = RedisLink.standalone(standalone, timeout);
    } else if (cluster != null) {
      link = RedisLink.cluster(cluster, timeout);
    } else {
      throw new IllegalArgumentException("redis: none (expected: standalone(uri) or cluster(seeds))");
    }
    boolean connected = link.awaitConnected(Duration.ofSeconds(2));
    try {
      return new RedisBucketStore(this, link, connected);
    } catch (RuntimeException e) {
      link.close();
      throw e;
    }
  }

  private static <T> T require(String name, T value) {
    if (value == null) {
      throw new IllegalArgumentException(name + ": null");
    }
    return value;
  }

  private static Duration positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
    }
    return d;
  }
}
