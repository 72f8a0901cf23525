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
 * {@code (tier "a", key "b:c")} apart. Immutable.
 */
final class KeySpace {

  /** The layout version carried in every key; a new value layout gets a new version. */
  static final String VERSION = "v1";

  private final String prefix;

  KeySpace(String namespace) {
    if (namespace == null || namespace.isEmpty() || namespace.contains("{") || namespace.contains("}")) {
      throw new IllegalArgumentException("namespace: " + namespace + " (expected: non-empty, without braces)");
    }
    this.prefix = "{" + namespace + "}:" + VERSION + ":";
  }

  String client(String tier, String key) {
    return prefix + "c:" + tier.length() + ":" + tier + ":" + key;
  }

  String tier(String tier) {
    return prefix + "t:" + tier;
  }

  String global() {
    return prefix + "g";
  }

  String nodes() {
    return prefix + "nodes";
  }

  String prefix() {
    return prefix;
  }
}
