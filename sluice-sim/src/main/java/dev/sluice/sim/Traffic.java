package dev.sluice.sim;

import java.util.SplittableRandom;

/**
 * The clients: one Poisson arrival stream per source (rate piecewise constant per second, so a
 * draw that crosses a second restarts at the boundary, which is exact for a Poisson process), the
 * Zipf choice of client and the choice of cost class. Each source draws from its own random
 * stream, so first attempts are identical whatever the policy. Not thread-safe.
 */
final class Traffic {

  private final Scenario sc;
  private final SplittableRandom[] rng;
  private final double[][] clientCdf;
  private final double[][] costCdf;
  private final int[][] costs;
  private final String[][] keys;

  Traffic(Scenario sc, SplittableRandom root) {
    this.sc = sc;
    int n = sc.sources().size();
    rng = new SplittableRandom[n];
    clientCdf = new double[n][];
    costCdf = new double[n][];
    costs = new int[n][];
    keys = new String[n][];
    for (int s = 0; s < n; s++) {
      Scenario.Source src = sc.sources().get(s);
      rng[s] = root.split();
      clientCdf[s] = cdf(src.clients(), k -> Math.pow(k + 1, -src.zipf()));
      costCdf[s] = cdf(src.costs().size(), k -> src.costs().get(k).weight());
      costs[s] = src.costs().stream().mapToInt(Scenario.CostClass::cost).toArray();
      keys[s] = new String[src.clients()];
      for (int c = 0; c < src.clients(); c++) {
        keys[s][c] = src.name() + "-" + c;
      }
    }
  }

  private static double[] cdf(int n, java.util.function.IntToDoubleFunction weight) {
    double[] out = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += weight.applyAsDouble(k);
      out[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      out[k] /= sum;
    }
    out[n - 1] = 1.0;
    return out;
  }

  private static int pick(double[] cdf, double u) {
    int lo = 0;
    int hi = cdf.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Returns the time of source {@code s}'s next arrival after {@code now}, or Long.MAX_VALUE. */
  long nextArrival(int s, long now) {
    double[] rates = sc.sources().get(s).rates();
    long t = now;
    while (true) {
      int sec = (int) (t / 1_000_000_000L);
      if (sec >= rates.length) {
        return Long.MAX_VALUE;
      }
      long boundary = (sec + 1) * 1_000_000_000L;
      double lambda = rates[sec];
      if (lambda > 0) {
        long next = t + Math.max(1, Math.round(rng[s].nextExponential() / lambda * 1e9));
        if (next < boundary) {
          return next;
        }
      }
      t = boundary;
    }
  }

  int client(int s) {
    return pick(clientCdf[s], rng[s].nextDouble());
  }

  int cost(int s) {
    return costs[s].length == 1 ? costs[s][0] : costs[s][pick(costCdf[s], rng[s].nextDouble())];
  }

  String key(int s, int client) {
    return keys[s][client];
  }
}
