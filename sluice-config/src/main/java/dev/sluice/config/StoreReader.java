package dev.sluice.config;

import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads the {@code store} section into a {@link StoreConfig}, checking each field on its line. */
final class StoreReader {

  static final List<String> KEYS = List.of("type", "redis", "timeout", "failure-mode", "breaker", "leasing",
      "heartbeat", "node-id");
  static final List<String> REDIS_KEYS = List.of("uri", "cluster", "namespace", "aggregate-shards");
  static final List<String> BREAKER_KEYS = List.of("failures", "open");
  static final List<String> LEASING_KEYS = List.of("enabled", "period", "over-admission", "min-lease");

  private StoreReader() {}

  /** Returns the store {@code doc.store} describes (local when absent), or {@code null} after reporting. */
  static StoreConfig read(Mapping doc, Problems problems) {
    Mapping m = doc.mapping("store", KEYS);
    if (m == null) {
      return null;
    }
    int before = problems.count();
    StoreConfig d = StoreConfig.LOCAL;
    String type = or(oneOf(m, "type", StoreConfig.TYPES, problems), d.type());
    Mapping redis = m.mapping("redis", REDIS_KEYS);
    String uri = redis == null ? null : redisUri(redis, "uri", redis.node("uri"), problems);
    List<String> cluster = new ArrayList<>();
    if (redis != null) {
      List<YamlNode> seeds = redis.list("cluster", "a list of redis:// URIs");
      for (int i = 0; seeds != null && i < seeds.size(); i++) {
        String seed = redisUri(redis, "cluster[" + i + "]", seeds.get(i), problems);
        if (seed != null) {
          cluster.add(seed);
        }
      }
    }
    String namespace = or(redis == null ? null : redis.string("namespace", false), d.namespace());
    Long shards = redis == null ? null
        : redis.integer("aggregate-shards", 1, StoreConfig.MAX_AGGREGATE_SHARDS, false);
    Duration timeout = or(m.duration("timeout"), d.timeout());
    String failureMode = or(oneOf(m, "failure-mode", StoreConfig.FAILURE_MODES, problems), d.failureMode());
    Mapping breaker = m.mapping("breaker", BREAKER_KEYS);
    Long failures = breaker == null ? null : breaker.integer("failures", 1, Integer.MAX_VALUE, false);
    Duration open = breaker == null ? null : breaker.duration("open");
    Mapping leasing = m.mapping("leasing", LEASING_KEYS);
    Boolean leasingOn = leasing == null ? null : leasing.bool("enabled");
    Duration period = leasing == null ? null : leasing.duration("period");
    Double over = leasing == null ? null : leasing.number("over-admission");
    if (over != null && !(over > 0 && over <= 0.1)) {
      problems.invalid(leasing.node("over-admission"), leasing.path("over-admission"), "a number > 0 and <= 0.1");
    }
    Long minLease = leasing == null ? null : leasing.integer("min-lease", 1, Long.MAX_VALUE, false);
    Duration heartbeat = or(m.duration("heartbeat"), d.heartbeat());
    String nodeId = m.string("node-id", false);
    if (type.equals("redis") && redis != null && (uri == null) == cluster.isEmpty() && problems.count() == before) {
      if (uri == null) {
        problems.missing(redis.line(), redis.path("uri"), "uri: redis://host:port, or cluster: [seed URIs]");
      } else {
        problems.add(redis.line("cluster"), redis.path("cluster"), "a list (expected: uri or cluster, not both)");
      }
    }
    if (problems.count() != before) {
      return null;
    }
    return problems.build(m.line(), m.path(), () -> new StoreConfig(type, uri, cluster, namespace, timeout,
        failureMode, or(failures, (long) d.breakerFailures()).intValue(), or(open, d.breakerOpen()),
        or(leasingOn, d.leasing()), or(period, d.leasePeriod()), or(over, d.overAdmission()),
        or(minLease, d.minLease()), heartbeat, nodeId, or(shards, (long) d.aggregateShards()).intValue()));
  }

  private static String oneOf(Mapping m, String key, List<String> allowed, Problems problems) {
    String v = m.string(key, false);
    if (v != null && !allowed.contains(v)) {
      problems.invalid(m.node(key), m.path(key), "one of " + String.join(", ", allowed));
      return null;
    }
    return v;
  }

  private static String redisUri(Mapping redis, String key, YamlNode node, Problems problems) {
    if (node == null || !node.isPresent()) {
      return null;
    }
    String expected = "a URI such as redis://127.0.0.1:6379 or rediss://host:6380";
    if (node.kind() != YamlNode.Kind.STRING) {
      problems.invalid(node, redis.path(key), expected);
      return null;
    }
    try {
      URI u = new URI(node.text().strip());
      String scheme = u.getScheme();
      if (u.getHost() != null && ("redis".equalsIgnoreCase(scheme) || "rediss".equalsIgnoreCase(scheme))) {
        return u.toString();
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    problems.invalid(node, redis.path(key), expected);
    return null;
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
