package dev.sluice.core;

import java.util.function.ToLongFunction;

/**
 * A seeded 64-bit hash of a client key's characters, the identity of a client in a
 * {@link ClientTable} (which stores hashes, not keys). Immutable and thread-safe; {@link
 * #applyAsLong} allocates nothing and reads each character once.
 *
 * <p>Two keys with one hash share one bucket: both clients are then limited together, which can
 * only deny more, never admit more than one bucket's bound. With n keys drawn into a table, the
 * chance of any such pair is about {@code n^2 / 2^(b+1)} for b hash bits; the table keeps 63 bits
 * (one is its generation parity), so 10^6 keys collide with probability about
 * {@code 10^12 / 2^64 = 5.4e-8}, and 10^7 keys about {@code 5.4e-6}. A per-table random seed keeps
 * an outside party from choosing keys that collide on purpose (which would also lengthen probes).
 */
final class KeyHash implements ToLongFunction<String> {

  /*
   * Hot path: one multiply-fold per 8 characters. The mixing step is the "multiply and fold" of
   * wyhash-style hashes: the 128-bit product of two 64-bit words, high half XOR low half, which
   * spreads every input bit over the whole output. Characters are packed four to a word (16 bits
   * each), two words per step, each XORed with a distinct odd constant and the running state, so
   * that word order and length both change the result. The tail is packed the same way with its
   * length, and two final folds avalanche the last bits.
   */

  private static final long K0 = 0xa0761d6478bd642fL;
  private static final long K1 = 0xe7037ed1a0b428dbL;
  private static final long K2 = 0x8ebc6af09c88c6e3L;
  private static final long K3 = 0x589965cc75374cc3L;

  private final long seed;

  KeyHash(long seed) {
    this.seed = seed;
  }

  /** Returns a hash with a seed from a fresh random generator. */
  static KeyHash random() {
    return new KeyHash(new java.util.SplittableRandom().nextLong());
  }

  private static long fold(long a, long b) {
    return Math.unsignedMultiplyHigh(a, b) ^ (a * b);
  }

  private static long pack(String s, int from) {
    return s.charAt(from) | (long) s.charAt(from + 1) << 16 | (long) s.charAt(from + 2) << 32
        | (long) s.charAt(from + 3) << 48;
  }

  @Override
  public long applyAsLong(String key) {
    int n = key.length();
    long h = seed ^ fold(seed ^ K0, n ^ K1);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      h = fold(pack(key, i) ^ K1 ^ h, pack(key, i + 4) ^ K2);
    }
    long a = 0;
    long b = 0;
    for (int j = 0; i < n; i++, j++) {
      if (j < 4) {
        a |= (long) key.charAt(i) << (16 * j);
      } else {
        b |= (long) key.charAt(i) << (16 * (j - 4));
      }
    }
    h = fold(a ^ K1 ^ h, b ^ K2 ^ n);
    return fold(h ^ K3, h ^ K0 ^ seed);
  }
}
