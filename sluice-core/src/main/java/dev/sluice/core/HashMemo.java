package dev.sluice.core;

import java.util.function.ToLongFunction;

/**
 * A client table's key hash with a small memo of keys hashed recently, so that a key seen often
 * is not hashed again on every decision. Thread-safe and lock-free; a lookup allocates nothing.
 *
 * <p>Hand-written for the hot path. {@link KeyHash} reads every character of a key (about 7 ns
 * for 10 characters on JDK 25), a third of a decision besides the clock, while a hash map finds a
 * key with {@code String.hashCode}, which the string caches. The memo holds up to
 * {@value #SIZE} entries of key, {@code String.hashCode} and 64-bit hash, indexed by
 * {@code String.hashCode}: a key found there (the same string, or an equal one) costs a cached
 * {@code hashCode}, one load and one comparison; any other key is hashed in full.
 *
 * <p>Entries are immutable and replace one another by a plain array store: a reader sees a whole
 * entry or an older one, and an entry answers only for a key equal to its own, so a race can only
 * cost a miss. A key that misses is stored with probability about 1/{@value #SAMPLE}, decided by
 * the decision's clock reading mixed with the key's hash, so that many distinct keys (10^6 Zipf
 * keys) write the shared array rarely (a 32-byte entry per 65,536 misses: 0.0005 B per decision)
 * while a frequent key finds itself there after some 65,536 decisions, a few milliseconds at a
 * hot key's rate. The memo keeps at most {@value #SIZE} key strings reachable.
 */
final class HashMemo {

  static final int SIZE = 1024;
  static final int SAMPLE = 1 << 16;

  private record Entry(String key, int code, long hash) {}

  private final ToLongFunction<String> hash;
  private final Entry[] entries = new Entry[SIZE];

  HashMemo(ToLongFunction<String> hash) {
    this.hash = hash;
  }

  /** The hash function this memo caches. */
  ToLongFunction<String> function() {
    return hash;
  }

  /** Returns the hash of {@code key}, without storing it. */
  long hash(String key) {
    int code = key.hashCode();
    Entry e = entries[index(code)];
    if (e != null && e.code == code && (e.key == key || e.key.equals(key))) {
      return e.hash;
    }
    return hash.applyAsLong(key);
  }

  /**
   * Returns the hash of {@code key}, and stores it when it was not there and the low bits of
   * {@code sample} (a clock reading) select it.
   */
  long hash(String key, long sample) {
    int code = key.hashCode();
    int i = index(code);
    Entry e = entries[i];
    if (e != null && e.code == code && (e.key == key || e.key.equals(key))) {
      return e.hash;
    }
    long h = hash.applyAsLong(key);
    if ((sample ^ h) * 0x9E3779B97F4A7C15L >>> 48 == 0) { // 1 in 2^16, whatever the clock's resolution
      entries[i] = new Entry(key, code, h);
    }
    return h;
  }

  private static int index(int code) {
    return (code ^ code >>> 16) & (SIZE - 1);
  }
}
