package dev.sluice.core;

import java.util.function.ToLongFunction;

/**
 * A seeded 64-bit hash of a client key's characters, the identity of a client in a
 * {@link ClientTable} (which stores hashes, not keys). Immutable and thread-safe; {@link
 * #applyAsLong} allocates nothing and reads every character.
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
   * Hot path, hand-written: a decision on a present client costs about as much as this hash (JDK
   * 25, 10 characters: 7.7 ns for the previous version with four multiplies in a row, about 3 ns
   * for this one), so it reads each character once with String.charAt, packs four characters
   * (16 bits each) into a word, and keeps the chain of dependent multiplies at two for keys of up
   * to 16 characters.
   *
   * The mixing step is the "multiply and fold" of wyhash-style hashes: the 128-bit product of two
   * 64-bit words, each XORed with a secret, whose halves are then combined, which spreads every
   * input bit over the output. Keys of up to 16 characters are read as four words that together
   * hold every character: up to eight characters as the first four and the last four
   * (overlapping when fewer than eight; fewer than four as first, middle and last), more as the
   * first eight and the rest read the same way. For a given length, distinct keys give distinct
   * words; the length is mixed into the last step. Two independent products, one per pair of
   * words, each with its own secrets, are combined in a final product. Longer keys fold eight
   * characters per step into a running state first, then treat their last 16 characters the same
   * way. The secrets are derived once from the seed, outside the hot path.
   */

  private static final long K0 = 0xa0761d6478bd642fL;
  private static final long K1 = 0xe7037ed1a0b428dbL;
  private static final long K2 = 0x8ebc6af09c88c6e3L;
  private static final long K3 = 0x589965cc75374cc3L;
  private static final long K4 = 0x1d8e4e27c47d124fL;

  private final long s0;
  private final long s1;
  private final long s2;
  private final long s3;

  KeyHash(long seed) {
    long s = seed ^ mix(seed ^ K0, K1);
    this.s0 = s;
    this.s1 = mix(s ^ K2, K3) | 1;
    this.s2 = mix(s ^ K3, K4) | 1;
    this.s3 = mix(s ^ K4, K0) | 1;
  }

  /** Returns a hash with a seed from a fresh random generator. */
  static KeyHash random() {
    return new KeyHash(new java.util.SplittableRandom().nextLong());
  }

  /** The 128-bit product of {@code a} and {@code b}, folded to 64 bits. */
  private static long mix(long a, long b) {
    return Math.unsignedMultiplyHigh(a, b) ^ (a * b);
  }

  /** Characters {@code from .. from + 3} of {@code s}, 16 bits each, the first lowest. */
  private static long pack(String s, int from) {
    return s.charAt(from) | (long) s.charAt(from + 1) << 16 | (long) s.charAt(from + 2) << 32
        | (long) s.charAt(from + 3) << 48;
  }

  @Override
  public long applyAsLong(String key) {
    // Split in small methods so that the JIT inlines the common lengths into the decision.
    int n = key.length();
    return n <= 8 ? upTo8(key, n) : n <= 16 ? upTo16(key, 0, n, s0) : longer(key, n);
  }

  private long upTo8(String key, int n) {
    if (n >= 4) {
      return finish(pack(key, 0), pack(key, n - 4), 0, 0, s0, n);
    }
    if (n > 0) {
      long a = key.charAt(0) | (long) key.charAt(n >>> 1) << 16 | (long) key.charAt(n - 1) << 32;
      return finish(a, 0, 0, 0, s0, n);
    }
    return finish(0, 0, 0, 0, s0, 0);
  }

  /** Characters {@code i .. n - 1}, 9 to 16 of them: eight, then the rest as {@link #upTo8} does. */
  private long upTo16(String key, int i, int n, long state) {
    long a = pack(key, i);
    long b = pack(key, i + 4);
    int j = i + 8;
    int r = n - j;
    if (r >= 4) {
      return finish(a, b, pack(key, j), pack(key, n - 4), state, n);
    }
    long c = key.charAt(j) | (long) key.charAt(j + (r >>> 1)) << 16 | (long) key.charAt(n - 1) << 32;
    return finish(a, b, c, 0, state, n);
  }

  private long longer(String key, int n) {
    long state = s0;
    int i = 0;
    for (; n - i > 16; i += 8) {
      state = mix(pack(key, i) ^ s1 ^ state, pack(key, i + 4) ^ s2);
    }
    return upTo16(key, i, n, state);
  }

  private long finish(long a, long b, long c, long d, long state, int n) {
    long x = (a ^ s1) * (b ^ state);
    long y = Math.unsignedMultiplyHigh(a ^ s1, b ^ state);
    long u = (c ^ s2) * (d ^ s3 ^ state);
    long v = Math.unsignedMultiplyHigh(c ^ s2, d ^ s3 ^ state);
    return mix(x ^ v ^ s0 ^ n, y ^ u ^ s3);
  }
}
