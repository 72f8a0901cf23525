package dev.sluice.sim;

import java.util.SplittableRandom;

/**
 * The clients: one Poisson arrival stream per source (rate piecewise constant per second, so a
 * draw that crosses a second restarts at the boundary, which is exact for a Poisson process), the
 * Zipf choice of client and the choice of cost class. Each source draws from its own random
 * stream, so first attempts are identical whatever the policy. A replay source ({@link
 * AccessLogReplay}) draws nothing: its arrivals, clients and costs are its log's lines, in order.
 * Not thread-safe.
 */
final class Traffic {

  private final Scenario sc;
  private final SplittableRandom[] rng;
  private final double[][] clientCdf;
  private final double[][] costCdf;
  private final int[][] costs;
  private final String[][] keys;
  /** Per replay source, the line whose arrival is pending, and the line being sent now. */
  private final int[] pending;
  private final int[] current;

  Traffic(Scenario sc, SplittableRandom root) {
    this.sc = sc;
    int n = sc.sources().size();
    rng = new SplittableRandom[n];
    clientCdf = new double[n][];
    costCdf = new double[n][];
    costs = new int[n][];
    keys = new String[n][];
    pending = new int[n];
    current = new int[n];
    java.util.Arrays.fill(pending, -1);
    for (int s = 0; s < n; s++) {
      Scenario.Source src = sc.sources().get(s);
      rng[s] = root.split();
      clientCdf[s] = Cdf.of(src.clients(), k -> Math.pow(k + 1, -src.zipf()));
      costCdf[s] = Cdf.of(src.costs().size(), k -> src.costs().get(k).weight());
      costs[s] = src.costs().stream().mapToInt(Scenario.CostClass::cost).toArray();
      keys[s] = new String[src.clients()];
      for (int c = 0; c < src.clients(); c++) {
        keys[s][c] = src.replay() != null ? src.replay().key(c) : src.name() + "-" + c;
      }
    }
  }

  /** Returns the time of source {@code s}'s next arrival after {@code now}, or Long.MAX_VALUE. */
  long nextArrival(int s, long now) {
    AccessLogReplay replay = sc.sources().get(s).replay();
    if (replay != null) {
      current[s] = pending[s];
      int next = ++pending[s];
      return next < replay.size() ? Math.max(now, replay.nanos(next)) : Long.MAX_VALUE;
    }
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

  /** Returns the client of the arrival being sent now (drawn, or the replayed line's). */
  int client(int s) {
    AccessLogReplay replay = sc.sources().get(s).replay();
    if (replay != null) {
      return replay.client(current[s]);
    }
    return Cdf.pick(clientCdf[s], rng[s].nextDouble());
  }

  int cost(int s) {
    AccessLogReplay replay = sc.sources().get(s).replay();
    if (replay != null) {
      return replay.cost(current[s]);
    }
    return costs[s].length == 1 ? costs[s][0] : costs[s][Cdf.pick(costCdf[s], rng[s].nextDouble())];
  }

  String key(int s, int client) {
    return keys[s][client];
  }
}
