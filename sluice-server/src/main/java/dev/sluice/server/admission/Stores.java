package dev.sluice.server.admission;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.config.StoreConfig;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Clock;
import dev.sluice.core.LimiterSpec;
import dev.sluice.redis.FailureMode;
import dev.sluice.redis.RedisBucketStore;
import dev.sluice.redis.RedisStoreBuilder;
import dev.sluice.server.http.JsonBodies;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the bucket store a {@code store} section describes: the local store, or a Redis store whose
 * mode it logs and whose state it exports; stateless.
 *
 * <p>Metrics: {@code sluice_store_mode{mode,store}} is 1 for the mode decisions are made in now
 * ({@code redis}, or the configured failure mode while Redis is unreachable) and 0 for the other,
 * and {@code sluice_store_errors_total{store}} counts failed or timed-out Redis calls, both read
 * from {@link RedisBucketStore#stats()} at scrape time; {@code store} is {@code edge} for the
 * edge's store and the caller's name for a store opened {@link #openBeside beside} it.
 *
 * <p>Logs (event {@code store-mode}, with {@code uri}, {@code mode} and {@code previous}): one
 * line for the mode the store starts in (INFO in {@code redis} mode, WARN in the failure mode) and
 * one WARN per change of mode after that, in both directions. Redis URIs are shown without
 * credentials or query options ({@link #redact}).
 */
public final class Stores {

  private static final Logger log = LoggerFactory.getLogger(Stores.class);

  private Stores() {}

  /**
   * Returns the store {@code c} describes enforcing {@code spec}: local buckets on {@code clock},
   * or a connected Redis store whose meters are registered in {@code registry}.
   */
  public static BucketStore open(StoreConfig c, LimiterSpec spec, Clock clock, MeterRegistry registry) {
    if (!c.redis()) {
      return BucketStore.local(spec, clock);
    }
    RedisBucketStore store = openRedis(c, spec);
    export(store, c, registry, "edge");
    return store;
  }

  /**
   * Returns a store of the kind {@code c} describes for limits kept beside the edge's (Envoy's
   * rate-limit service): local buckets on {@code clock}, or a store on the same Redis with the same
   * settings under the namespace {@code c.namespace() + "." + part}, so that its keys never meet
   * the edge's while every node with the same config shares them. Its meters are not registered,
   * and its aggregates are not sharded ({@code store.redis.aggregate-shards} is the edge's).
   */
  public static BucketStore openBeside(StoreConfig c, String part, LimiterSpec spec, Clock clock) {
    if (part == null || part.isEmpty()) {
      throw new IllegalArgumentException("namespace part: empty");
    }
    return c.redis() ? openRedis(c, spec, c.namespace() + "." + part, 1) : BucketStore.local(spec, clock);
  }

  /**
   * Opens a store as {@link #openBeside(StoreConfig, String, LimiterSpec, Clock)} and, on Redis,
   * registers its meters in {@code registry} tagged {@code store=storeName} (the edge's are tagged
   * {@code store=edge}), so several stores never share a series.
   */
  public static BucketStore openBeside(StoreConfig c, String part, LimiterSpec spec, Clock clock,
      MeterRegistry registry, String storeName) {
    if (storeName == null || storeName.isEmpty() || storeName.equals("edge")) {
      throw new IllegalArgumentException("store name: " + storeName + " (expected: a name other than edge)");
    }
    BucketStore store = openBeside(c, part, spec, clock);
    if (store instanceof RedisBucketStore redis) {
      export(redis, c, registry, storeName);
    }
    return store;
  }

  /** Returns a connected Redis store enforcing {@code spec} with the settings of {@code c}. */
  static RedisBucketStore openRedis(StoreConfig c, LimiterSpec spec) {
    return openRedis(c, spec, c.namespace(), c.aggregateShards());
  }

  private static RedisBucketStore openRedis(StoreConfig c, LimiterSpec spec, String namespace, int shards) {
    RedisStoreBuilder b = RedisBucketStore.builder(spec);
    String where = String.join(",", redactedUris(c));
    b.modeListener((from, to) -> logMode(where, from, to));
    if (c.redisUri() != null) {
      b.standalone(RedisURI.create(c.redisUri()));
    } else {
      b.cluster(c.cluster().stream().map(RedisURI::create).toList());
    }
    b.namespace(namespace)
        .timeout(c.timeout())
        .failureMode(FailureMode.parse(c.failureMode()))
        .circuitBreaker(c.breakerFailures(), c.breakerOpen())
        .leasing(c.leasing())
        .lease(c.leasePeriod(), c.overAdmission())
        .minLease(c.minLease())
        .heartbeat(c.heartbeat())
        .aggregateShards(shards);
    if (c.nodeId() != null) {
      b.nodeId(c.nodeId());
    }
    return b.build();
  }

  /** Registers the store's mode gauges and error counter in {@code registry}, tagged {@code store=name}. */
  private static void export(RedisBucketStore store, StoreConfig c, MeterRegistry registry, String name) {
    for (String mode : List.of("redis", c.failureMode())) {
      Gauge.builder("sluice.store.mode", store, s -> s.stats().mode().equals(mode) ? 1 : 0)
          .tags("mode", mode, "store", name)
          .description("1 for the mode bucket decisions are made in now: redis, or the failure mode")
          .register(registry);
    }
    FunctionCounter.builder("sluice.store.errors", store, s -> s.stats().errors())
        .tag("store", name)
        .description("Redis calls that failed or timed out")
        .register(registry);
  }

  /** Logs the store's mode: where it starts, and each change (the {@link dev.sluice.redis.ModeListener}). */
  static void logMode(String uri, String from, String to) {
    boolean redis = to.equals("redis");
    String message;
    if (from == null) {
      message = redis ? "Redis store at " + uri + " answers; deciding in redis mode"
          : "Redis store at " + uri + " does not answer; deciding in " + to + " mode until it does";
    } else {
      message = redis ? "Redis store at " + uri + " answers again; deciding in redis mode (local buckets dropped)"
          : "Redis store at " + uri + " stopped answering; deciding in " + to + " mode until it answers again";
    }
    (from == null && redis ? log.atInfo() : log.atWarn()).addKeyValue("event", "store-mode")
        .addKeyValue("uri", uri).addKeyValue("mode", to).addKeyValue("previous", from).log(message);
  }

  /** Returns the Redis URIs of {@code c} without credentials (one for a standalone Redis, the seeds of a Cluster). */
  static List<String> redactedUris(StoreConfig c) {
    return c.redisUri() != null ? List.of(redact(c.redisUri())) : c.cluster().stream().map(Stores::redact).toList();
  }

  /**
   * Returns {@code uri} as {@code scheme://host:port[/db]}: no user, no password, no query (which
   * may carry them too). Unix sockets show their path, Sentinel URIs their sentinels and master.
   */
  static String redact(String uri) {
    RedisURI u;
    try {
      u = RedisURI.create(uri);
    } catch (RuntimeException e) {
      return "(an invalid Redis URI)";
    }
    StringBuilder sb = new StringBuilder();
    if (u.getSocket() != null) {
      sb.append("redis-socket://").append(u.getSocket());
    } else if (!u.getSentinels().isEmpty()) {
      sb.append(u.isSsl() ? "rediss-sentinel://" : "redis-sentinel://");
      for (int i = 0; i < u.getSentinels().size(); i++) {
        RedisURI s = u.getSentinels().get(i);
        hostPort(sb.append(i == 0 ? "" : ","), s.getHost(), s.getPort());
      }
    } else {
      hostPort(sb.append(u.isSsl() ? "rediss://" : "redis://"), u.getHost(), u.getPort());
    }
    if (u.getDatabase() != 0) {
      sb.append('/').append(u.getDatabase());
    }
    if (u.getSentinelMasterId() != null) {
      sb.append('#').append(u.getSentinelMasterId());
    }
    return sb.toString();
  }

  private static void hostPort(StringBuilder sb, String host, int port) {
    boolean v6 = host != null && host.indexOf(':') >= 0 && !host.startsWith("[");
    sb.append(v6 ? "[" : "").append(host).append(v6 ? "]" : "").append(':').append(port);
  }

  /**
   * Writes the store {@code c} describes as a JSON object: {@code {"type":"local"}}, or {@code
   * {"type":"redis","mode":M,"uri":U,"aggregate-shards":K}} ({@code "cluster":[U,...]} for a
   * Cluster); {@code mode} (the mode decisions are made in now) is left out when {@code null}.
   */
  public static void writeJson(JsonGenerator g, StoreConfig c, String mode) throws IOException {
    g.writeStartObject();
    JsonBodies.stringField(g, "type", c.type());
    if (c.redis()) {
      if (mode != null) {
        JsonBodies.stringField(g, "mode", mode);
      }
      if (c.redisUri() != null) {
        JsonBodies.stringField(g, "uri", redact(c.redisUri()));
      } else {
        g.writeArrayFieldStart("cluster");
        for (String seed : redactedUris(c)) {
          JsonBodies.string(g, seed);
        }
        g.writeEndArray();
      }
      g.writeNumberField("aggregate-shards", c.aggregateShards());
    }
    g.writeEndObject();
  }
}
