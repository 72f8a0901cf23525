package dev.sluice.adaptive.flood;

/**
 * The clients seen lately, in a table of fixed size: for each, a 64-bit fingerprint of its key,
 * the second it was first seen and the window it was last seen in. Memory is {@code 16 × slots}
 * bytes whatever the number of distinct keys (2^18 slots: 4 MiB); a key is looked up among
 * {@value #PROBES} slots from its hash, and when all are taken the one to forget is chosen so that
 * established clients outlive a flood of new ones: first an unproven entry (seen for no more than
 * the probation), the one seen least recently; only when every probed entry is established, the least
 * recently seen of those.
 *
 * <p>Lock-free and allocation-free; not linearizable. Concurrent writers may race on a slot; the
 * worst outcome is one key taken for new or a slot's times mixed for one lookup, which only moves
 * one request between the newcomer share and the established clients. A fingerprint collision
 * (about one in 2^64 / slots per lookup) makes a new key inherit an old one's standing.
 */
public final class SeenClients {

  /** Slots looked at per key. */
  static final int PROBES = 8;
  /** {@link #touch} result: the key was not in the table (it is now). */
  public static final int NEW = Integer.MIN_VALUE;

  private final long[] fingerprints;
  private final int[] first;
  private final int[] last;
  private final int mask;
  private final int probation;

  /**
   * A table of at least {@code slots} slots (rounded up to a power of two) in which a client counts
   * as established {@code probationSeconds} after it was first seen.
   */
  public SeenClients(int slots, int probationSeconds) {
    int n = Integer.highestOneBit(Math.max(PROBES, slots - 1)) << 1;
    this.fingerprints = new long[n];
    this.first = new int[n];
    this.last = new int[n];
    this.mask = n - 1;
    this.probation = probationSeconds;
  }

  /** Returns the number of slots. */
  public int slots() {
    return mask + 1;
  }

  /** Returns the bytes the table's arrays hold (the table's whole memory, less a few headers). */
  public long bytes() {
    return 16L * slots();
  }

  /**
   * The 64-bit fingerprint of {@code key} (FNV-1a over its chars, then a finalising mix); never 0,
   * which marks an empty slot. Allocation-free.
   */
  public static long fingerprint(String key) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0, n = key.length(); i < n; i++) {
      h ^= key.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h == 0 ? 1 : h;
  }

  /**
   * Records that the client of fingerprint {@code fp} is seen at second {@code now} and returns the
   * second it was first seen, or {@link #NEW} if it was not in the table.
   */
  public int touch(long fp, int now) {
    return first(touch(fp, now, now));
  }

  /**
   * Records that the client of fingerprint {@code fp} is seen at second {@code now} in window
   * number {@code window} (any number that grows with time; the table keeps the last one per
   * client) and returns both answers in one {@code long}, allocation-free: {@link #first} (the
   * second it was first seen, or {@link #NEW}) and {@link #firstInWindow} (whether this is its
   * first request in the window, so per-window distinct counts need one update per client).
   */
  public long touch(long fp, int now, int window) {
    int base = (int) (fp ^ (fp >>> 32)) & mask;
    int victim = -1;
    long victimRank = Long.MAX_VALUE;
    for (int i = 0; i < PROBES; i++) {
      int s = (base + i) & mask;
      long f = fingerprints[s];
      if (f == fp) {
        boolean fresh = last[s] != window;
        last[s] = window;
        return pack(first[s], fresh);
      }
      long rank;
      if (f == 0) {
        rank = Long.MIN_VALUE;
      } else {
        boolean established = first[s] < now - probation;
        rank = (established ? 1L << 40 : 0) + last[s];
      }
      if (rank < victimRank) {
        victimRank = rank;
        victim = s;
      }
    }
    first[victim] = now;
    last[victim] = window;
    fingerprints[victim] = fp;
    return pack(NEW, true);
  }

  private static long pack(int first, boolean fresh) {
    return (long) first << 32 | (fresh ? 1 : 0);
  }

  /** The first-seen second (or {@link #NEW}) of a {@link #touch(long, int, int)} result. */
  public static int first(long touched) {
    return (int) (touched >> 32);
  }

  /** Whether a {@link #touch(long, int, int)} result is the client's first request in the window. */
  public static boolean firstInWindow(long touched) {
    return (touched & 1) != 0;
  }

  /**
   * Whether a client first seen at second {@code firstSeen} ({@link #NEW} for a new one) is
   * established at second {@code now}: first seen more than the probation (whole seconds) before
   * {@code now} and before {@code freeze} (the start of a flood, so that the flood's own clients do not become
   * established while it lasts; {@code Integer.MAX_VALUE} outside a flood).
   */
  public boolean established(int firstSeen, int now, int freeze) {
    return firstSeen != NEW && firstSeen < Math.min(now, freeze) - probation;
  }

  /** Returns how many slots hold a client (a full scan; for tests and the admin view). */
  public int size() {
    int n = 0;
    for (long f : fingerprints) {
      if (f != 0) {
        n++;
      }
    }
    return n;
  }
}
