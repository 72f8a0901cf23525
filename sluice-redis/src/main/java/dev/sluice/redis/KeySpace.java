package dev.sluice.redis;

/**
 * The Redis key layout, version 1. Every key of one store starts with the namespace as a hash tag,
 * so all levels of a request (and the node heartbeats) live in one Cluster slot and one script can
 * touch them atomically:
 *
 * <pre>
 * {ns}:v1:c:&lt;tier length&gt;:&lt;tier&gt;:&lt;client key&gt;   a client's bucket in a tier
 * {ns}:v1:t:&lt;tier&gt;                              a tier's aggregate bucket
 * {ns}:v1:g                                     the global bucket
 * {ns}:v1:nodes                                 sorted set of live node ids, scored by expiry (ms)
 * </pre>
 *
 * The tier's length before its name keeps {@code (tier "a:b", key "c")} and
 * {@code (tier "a", key "b:c")} apart. Thread-safe (the per-tier prefixes are cached; tiers come
 * from the spec, so they are few).
 */
final class KeySpace {

  /** The layout version carried in every key; a new value layout gets a new version. */
  static final String VERSION = "v1";

  private final String prefix;
  private final String global;
  /** Per tier name, built once (tiers are few; they come from the spec): client key prefix, tier key. */
  private final java.util.concurrent.ConcurrentHashMap<String, String> clientPrefixes = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.ConcurrentHashMap<String, String> tierKeys = new java.util.concurrent.ConcurrentHashMap<>();

  KeySpace(String namespace) {
    if (namespace == null || namespace.isEmpty() || namespace.contains("{") || namespace.contains("}")) {
      throw new IllegalArgumentException("namespace: " + namespace + " (expected: non-empty, without braces)");
    }
    this.prefix = "{" + namespace + "}:" + VERSION + ":";
    this.global = prefix + "g";
  }

  String client(String tier, String key) {
    return clientPrefixes.computeIfAbsent(tier, t -> prefix + "c:" + t.length() + ":" + t + ":") + key;
  }

  String tier(String tier) {
    return tierKeys.computeIfAbsent(tier, t -> prefix + "t:" + t);
  }

  String global() {
    return global;
  }

  String nodes() {
    return prefix + "nodes";
  }

  String prefix() {
    return prefix;
  }
}
