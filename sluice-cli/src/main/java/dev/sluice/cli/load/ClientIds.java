package dev.sluice.cli.load;

import dev.sluice.sim.Cdf;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * Draws client ids for a load source: Zipf(s) over N ids ({@code s = 0} is uniform), id {@code k}
 * being {@code prefix + k}, or one fresh id per request. Thread-confined: the driver's scheduler
 * thread draws.
 */
public final class ClientIds {

  private final double[] cdf;
  private final String[] ids;
  private final SplittableRandom rng;
  private final IntFunction<String> fresh;
  private int next;

  private ClientIds(double[] cdf, String[] ids, SplittableRandom rng, IntFunction<String> fresh) {
    this.cdf = cdf;
    this.ids = ids;
    this.rng = rng;
    this.fresh = fresh;
  }

  /**
   * Ids {@code prefix0 .. prefix(n-1)}, drawn with probability proportional to {@code (k+1)^-s}
   * from a stream seeded with {@code seed}.
   */
  public static ClientIds zipf(String prefix, int n, double s, long seed) {
    if (n < 1) {
      throw new IllegalArgumentException("clients: " + n + " (expected: >= 1)");
    }
    if (!(s >= 0) || Double.isInfinite(s)) {
      throw new IllegalArgumentException("zipf: " + s + " (expected: a finite number >= 0)");
    }
    double[] cdf = Cdf.of(n, k -> Math.pow(k + 1, -s));
    String[] ids = new String[n];
    for (int k = 0; k < n; k++) {
      ids[k] = prefix + k;
    }
    return new ClientIds(cdf, ids, new SplittableRandom(seed), null);
  }

  /** One client, always {@code id}. */
  public static ClientIds single(String id) {
    return zipf(id, 1, 0, 0).renamed(id);
  }

  /** A new id per request: {@code prefix0}, {@code prefix1}, ... (a crowd of clients seen once each). */
  public static ClientIds fresh(String prefix) {
    return new ClientIds(null, null, null, k -> prefix + k);
  }

  private ClientIds renamed(String id) {
    ids[0] = id;
    return this;
  }

  /** Returns the next id. */
  public String next() {
    if (fresh != null) {
      return fresh.apply(next++);
    }
    if (ids.length == 1) {
      return ids[0];
    }
    return ids[Cdf.pick(cdf, rng.nextDouble())];
  }
}
