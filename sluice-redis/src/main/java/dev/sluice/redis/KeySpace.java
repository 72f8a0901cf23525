package dev.sluice.redis;

import io.lettuce.core.cluster.SlotHash;
import java.util.concurrent.ConcurrentHashMap;

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
 * {@code (tier "a", key "b:c")} apart.
 *
 * <p><b>Shards</b> (k &gt; 1, {@link RedisStoreBuilder#aggregateShards}): the tier and global
 * aggregates are split into k sub-buckets, shard s under its own hash tag {@code {ns/s.j}}, where j
 * is the first number for which the tag's slot lies in the s-th k-th of the 16,384 slots (bounds
 * rounded as {@code redis-cli --cluster create} splits them), so k shards on k masters with even
 * slot ranges land on k different masters. A client's bucket lives in one shard, chosen by a hash
 * of the client key, next to that shard's aggregates, so one script still decides all its levels;
 * the heartbeat set stays under {@code {ns}}. All nodes on a namespace must use the same k.
 *
 * <p>Thread-safe (the per-tier prefixes are cached; tiers come from the spec, so they are few).
 */
final class KeySpace {

  /** The layout version carried in every key; a new value layout gets a new version. */
  static final String VERSION = "v1";
  /** The most aggregate shards a store may have. */
  static final int MAX_SHARDS = 64;

  private final String prefix;
  private final String[] shardPrefixes;
  private final String[] globals;
  /** Per tier name, built once (tiers are few; they come from the spec): client key prefixes, tier keys per shard. */
  private final ConcurrentHashMap<String, String[]> clientPrefixes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String[]> tierKeys = new ConcurrentHashMap<>();

  KeySpace(String namespace) {
    this(namespace, 1);
  }

  KeySpace(String namespace, int shards) {
    if (namespace == null || namespace.isEmpty() || namespace.contains("{") || namespace.contains("}")) {
      throw new IllegalArgumentException("namespace: " + namespace + " (expected: non-empty, without braces)");
    }
    if (shards < 1 || shards > MAX_SHARDS) {
      throw new IllegalArgumentException("aggregate shards: " + shards + " (expected: 1 to " + MAX_SHARDS + ")");
    }
    this.prefix = "{" + namespace + "}:" + VERSION + ":";
    this.shardPrefixes = new String[shards];
    this.globals = new String[shards];
    for (int s = 0; s < shards; s++) {
      shardPrefixes[s] = shards == 1 ? prefix : "{" + shardTag(namespace, s, shards) + "}:" + VERSION + ":";
      globals[s] = shardPrefixes[s] + "g";
    }
  }

  /** Returns the hash tag of shard {@code s} of {@code k}: the first {@code ns/s.j} whose slot is in the s-th k-th. */
  static String shardTag(String namespace, int s, int k) {
    // Rounded like redis-cli's even split (3 masters: 0-5460, 5461-10922, 10923-16383).
    long from = Math.round((double) SlotHash.SLOT_COUNT * s / k);
    long to = Math.round((double) SlotHash.SLOT_COUNT * (s + 1) / k);
    for (int j = 0; ; j++) {
      String tag = namespace + "/" + s + "." + j;
      int slot = SlotHash.getSlot(tag);
      if (slot >= from && slot < to) {
        return tag;
      }
    }
  }

  /** Returns the number of aggregate shards (1: none). */
  int shards() {
    return shardPrefixes.length;
  }

  /** Returns the shard a client's bucket lives in: a hash of its key. */
  int shardOf(String key) {
    if (shardPrefixes.length == 1) {
      return 0;
    }
    int h = key.hashCode() * 0x9E3779B9;
    return Math.floorMod(h ^ (h >>> 16), shardPrefixes.length);
  }

  String client(String tier, String key) {
    return clientPrefixes.computeIfAbsent(tier, t -> {
      String[] p = new String[shardPrefixes.length];
      for (int s = 0; s < p.length; s++) {
        p[s] = shardPrefixes[s] + "c:" + t.length() + ":" + t + ":";
      }
      return p;
    })[shardOf(key)] + key;
  }

  /** Returns the tier's aggregate key (shard 0 when sharded). */
  String tier(String tier) {
    return tier(tier, 0);
  }

  /** Returns the key of shard {@code shard} of the tier's aggregate. */
  String tier(String tier, int shard) {
    return tierKeys.computeIfAbsent(tier, t -> {
      String[] k = new String[shardPrefixes.length];
      for (int s = 0; s < k.length; s++) {
        k[s] = shardPrefixes[s] + "t:" + t;
      }
      return k;
    })[shard];
  }

  /** Returns the global key (shard 0 when sharded). */
  String global() {
    return globals[0];
  }

  /** Returns the key of shard {@code shard} of the global level. */
  String global(int shard) {
    return globals[shard];
  }

  String nodes() {
    return prefix + "nodes";
  }

  String prefix() {
    return prefix;
  }
}
