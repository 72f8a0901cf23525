package dev.sluice.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The shared, read-only input of one benchmark trial: the distinct client keys, a precomputed
 * sequence of key draws, and for each draw the lane it goes to (0: the open limiter, whose limit
 * is never reached; 1: the exhausted limiter, which denies every call). Built once per trial from
 * fixed seeds, so every implementation sees exactly the same calls. Thread-safe after setup (never
 * written again).
 *
 * <p>Key sets: {@code hot} is one key; {@code zipf} is {@value #ZIPF_KEYS} keys drawn with a
 * Zipf distribution of exponent {@value #ZIPF_EXPONENT} over their ranks. Loads: {@code allowed}
 * sends every call to lane 0; {@code halfDenied} sends exactly half of the draws, chosen by a
 * seeded shuffle, to lane 1, so the denied fraction does not depend on any limiter's speed.
 */
@State(Scope.Benchmark)
public class Workload {

  /** Distinct keys of the {@code zipf} key set. */
  public static final int ZIPF_KEYS = 1_000_000;
  /** Zipf exponent s: the key of rank r is drawn with probability proportional to 1 / r^s. */
  public static final double ZIPF_EXPONENT = 1.0;
  /** Number of precomputed draws, a power of two so that cursors wrap with a mask. */
  public static final int DRAWS = 1 << 20;

  static final long KEY_SEED = 0x5EED_0001L;
  static final long LANE_SEED = 0x5EED_0002L;

  /** Lane of the limiter with the huge limit. */
  static final byte OPEN = 0;
  /** Lane of the limiter drained in setup. */
  static final byte EXHAUSTED = 1;

  /** Key set: {@code hot} or {@code zipf}. */
  @Param({"hot", "zipf"})
  public String keys;

  /** Load: {@code allowed} or {@code halfDenied}. */
  @Param({"allowed", "halfDenied"})
  public String load;

  /** Every distinct key; limiters prefill one bucket per key for each lane in use. */
  String[] universe;
  /** The key of each call, {@link #DRAWS} of them. */
  String[] draws;
  /** The lane of each call, aligned with {@link #draws}. */
  byte[] lanes;

  /** Builds the key draws and lanes for the current parameters. */
  @Setup(Level.Trial)
  public void setUp() {
    build(keys, load);
  }

  /** Builds the arrays for {@code keySet} and {@code loadName}; also used by tests. */
  void build(String keySet, String loadName) {
    this.keys = keySet;
    this.load = loadName;
    switch (keySet) {
      case "hot" -> {
        universe = new String[] {"client-hot"};
        draws = new String[DRAWS];
        Arrays.fill(draws, universe[0]);
      }
      case "zipf" -> {
        universe = new String[ZIPF_KEYS];
        for (int i = 0; i < ZIPF_KEYS; i++) {
          universe[i] = "client-" + i;
        }
        draws = new String[DRAWS];
        int[] ranks = zipfRanks(ZIPF_KEYS, ZIPF_EXPONENT, DRAWS, KEY_SEED);
        for (int i = 0; i < DRAWS; i++) {
          draws[i] = universe[ranks[i]];
        }
      }
      default -> throw new IllegalArgumentException("keys: " + keySet + " (expected: hot or zipf)");
    }
    lanes = new byte[DRAWS];
    switch (loadName) {
      case "allowed" -> { }
      case "halfDenied" -> {
        Arrays.fill(lanes, 0, DRAWS / 2, EXHAUSTED);
        shuffle(lanes, LANE_SEED);
      }
      default -> throw new IllegalArgumentException("load: " + loadName + " (expected: allowed or halfDenied)");
    }
  }

  /** Returns whether lane 1 (the exhausted limiter) is used by this load. */
  boolean usesExhaustedLane() {
    return "halfDenied".equals(load);
  }

  /**
   * Returns {@code count} zero-based ranks in {@code [0, n)}, rank r drawn with probability
   * proportional to {@code 1 / (r + 1)^s}, by inverting the cumulative distribution.
   */
  static int[] zipfRanks(int n, double s, int count, long seed) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int r = 0; r < n; r++) {
      sum += 1.0 / Math.pow(r + 1, s);
      cdf[r] = sum;
    }
    SplittableRandom random = new SplittableRandom(seed);
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      double u = random.nextDouble() * sum;
      int lo = 0;
      int hi = n - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cdf[mid] < u) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      out[i] = lo;
    }
    return out;
  }

  private static void shuffle(byte[] a, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      byte t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
