package dev.sluice.core;

import java.util.function.ToLongFunction;

/**
 * A memo of client keys hashed recently, so that a key seen often is not hashed again on every
 * decision: an array of entries that a {@link ClientTable} holds itself (one load fewer on the
 * decision's path than holding an object that holds it), and the static methods that use it.
 * Thread-safe and lock-free; a lookup allocates nothing.
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
 * cost a miss. A key that misses is stored at once in an empty entry (so a hot key is there from
 * its first decision, before the JIT compiles the decision: the full hash then stays a rarely
 * taken branch, which keeps the compiled decision small enough to inline into its caller), and
 * otherwise with probability about 1/{@value #SAMPLE}, decided by
 * the decision's clock reading mixed with the key's hash, so that many distinct keys (10^6 Zipf
 * keys) write the shared array rarely (a 32-byte entry per 65,536 misses: 0.0005 B per decision)
 * while a frequent key finds itself there after some 65,536 decisions, a few milliseconds at a
 * hot key's rate. The memo keeps at most {@value #SIZE} key strings reachable.
 */
final class HashMemo {

  static final int SIZE = 1024;
  static final int SAMPLE = 1 << 16;

  /** One remembered key. */
  record Entry(String key, int code, long hash) {}

  private HashMemo() {}

  /** Returns an empty memo. */
  static Entry[] create() {
    return new Entry[SIZE];
  }

  /** Returns {@code hash}'s value for {@code key}, from {@code entries} when there, storing nothing. */
  static long hash(Entry[] entries, ToLongFunction<String> hash, String key) {
    int code = key.hashCode();
    Entry e = entries[index(code)];
    return holds(e, key, code) ? e.hash : hash.applyAsLong(key);
  }

  /**
   * Returns {@code hash}'s value for {@code key}, from {@code entries} when there; else stores it
   * there when {@code sample} (a clock reading) selects it.
   */
  static long hash(Entry[] entries, ToLongFunction<String> hash, String key, long sample) {
    int code = key.hashCode();
    int i = index(code);
    Entry e = entries[i];
    if (holds(e, key, code)) {
      return e.hash;
    }
    long h = hash.applyAsLong(key);
    if (e == null || (sample ^ h) * 0x9E3779B97F4A7C15L >>> 48 == 0) { // 1 in 2^16, whatever the clock's resolution
      entries[i] = new Entry(key, code, h);
    }
    return h;
  }

  /** Whether entry {@code e} is {@code key}'s ({@code code} being its {@code String.hashCode}). */
  private static boolean holds(Entry e, String key, int code) {
    return e != null && e.code == code && (e.key == key || e.key.equals(key));
  }

  private static int index(int code) {
    return (code ^ code >>> 16) & (SIZE - 1);
  }
}
