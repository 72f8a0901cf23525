package dev.sluice.sim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one run of one policy with one seed measured: named metrics, per-tier latency quantiles,
 * per-second series, and the conservation counts (every logical request ends exactly once, or is
 * still in flight when the run stops).
 *
 * @param policy the policy
 * @param seed the seed
 * @param metrics metric name to value, in report order (see {@link #METRICS})
 * @param tiers per tier: {@code p50_ms}, {@code p95_ms}, {@code p99_ms}
 * @param series per-second series by name (see {@link #SERIES})
 * @param requests logical requests offered
 * @param succeeded logical requests answered 2xx
 * @param failed logical requests that ended in a 5xx or timeout
 * @param rejected logical requests that ended in a 429
 * @param inFlight logical requests unfinished at the end
 */
public record RunResult(
    String policy, long seed, Map<String, Double> metrics, Map<String, Map<String, Double>> tiers,
    Map<String, double[]> series, long requests, long succeeded, long failed, long rejected, long inFlight) {

  /** Metric names, in report order; {@code goodput_vs_oracle} is filled in by {@link Experiment}. */
  public static final java.util.List<String> METRICS = java.util.List.of(
      "goodput_rps", "goodput_vs_oracle", "throughput_rps", "offered_rps", "mean_ms", "p50_ms", "p95_ms", "p99_ms",
      "compliant_rejection_rate", "compliant_rejection_below_capacity", "jain_fairness", "settling_intervals",
      "overshoot", "admitted_cv", "utilisation", "rejected_total", "timeouts_total", "errors_total");

  /** Per-second series names. */
  public static final java.util.List<String> SERIES = java.util.List.of(
      "offered_tokens", "admitted_tokens", "capacity", "refill_rate", "goodput", "rejected", "errors",
      "p50_ms", "p95_ms", "p99_ms");

  static RunResult of(Scenario sc, String policy, long seed, RunRecorder r, Backend b, long inFlight) {
    double secs = sc.seconds();
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("goodput_rps", sum(r.good) / secs);
    m.put("goodput_vs_oracle", Double.NaN);
    m.put("throughput_rps", sum(r.ok) / secs);
    m.put("offered_rps", r.logicalOffered / secs);
    m.put("mean_ms", r.all.getTotalCount() == 0 ? 0 : r.all.getMean() / 1000.0);
    m.put("p50_ms", quantile(r.all, 50));
    m.put("p95_ms", quantile(r.all, 95));
    m.put("p99_ms", quantile(r.all, 99));
    m.put("compliant_rejection_rate", ratio(sum(r.compliantRejected), sum(r.compliantAttempts)));
    double belowRej = 0;
    double belowAtt = 0;
    for (int s = 0; s < r.seconds; s++) {
      if (r.offeredTokens[s] <= r.capacity[s]) {
        belowRej += r.compliantRejected[s];
        belowAtt += r.compliantAttempts[s];
      }
    }
    m.put("compliant_rejection_below_capacity", ratio(belowRej, belowAtt));
    m.put("jain_fairness", jain(r));
    double[] nominal = new double[r.seconds];
    for (Scenario.Source s : sc.sources()) {
      double c = s.meanCost();
      for (int k = 0; k < r.seconds; k++) {
        nominal[k] += s.rates()[k] * c;
      }
    }
    int interval = (int) Math.max(1, sc.adaptive().interval().toSeconds());
    double[] dyn = Dynamics.measure(r.admittedTokens, Dynamics.changePoints(nominal, r.capacity), interval);
    m.put("settling_intervals", dyn[0]);
    m.put("overshoot", dyn[1]);
    m.put("admitted_cv", cv(r.admittedTokens));
    m.put("utilisation", ratio(b.busyIntegral, b.availableIntegral));
    m.put("rejected_total", (double) r.rejections);
    m.put("timeouts_total", (double) r.timeouts);
    m.put("errors_total", (double) r.serverErrors);
    Map<String, Map<String, Double>> tiers = new LinkedHashMap<>();
    for (int i = 0; i < r.byTier.length; i++) {
      Map<String, Double> q = new LinkedHashMap<>();
      q.put("p50_ms", quantile(r.byTier[i], 50));
      q.put("p95_ms", quantile(r.byTier[i], 95));
      q.put("p99_ms", quantile(r.byTier[i], 99));
      tiers.put(sc.limiter().tiers().get(i).name(), q);
    }
    Map<String, double[]> series = new LinkedHashMap<>();
    series.put("offered_tokens", r.offeredTokens);
    series.put("admitted_tokens", r.admittedTokens);
    series.put("capacity", r.capacity);
    series.put("refill_rate", r.refill);
    series.put("goodput", r.good);
    series.put("rejected", r.rejected);
    series.put("errors", r.errors);
    series.put("p50_ms", r.p50);
    series.put("p95_ms", r.p95);
    series.put("p99_ms", r.p99);
    return new RunResult(policy, seed, m, tiers, series, r.logicalOffered, r.logicalOk, r.logicalFailed,
        r.logicalRejected, inFlight);
  }

  /** Returns a copy with {@code goodput_vs_oracle} set. */
  RunResult withOracleRatio(double ratio) {
    Map<String, Double> m = new LinkedHashMap<>(metrics);
    m.put("goodput_vs_oracle", ratio);
    return new RunResult(policy, seed, m, tiers, series, requests, succeeded, failed, rejected, inFlight);
  }

  private static double quantile(Histogram h, double q) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(q) / 1000.0;
  }

  private static double sum(double[] a) {
    double s = 0;
    for (double x : a) {
      s += x;
    }
    return s;
  }

  private static double ratio(double a, double b) {
    return b == 0 ? 0 : a / b;
  }

  private static double cv(double[] a) {
    double mean = sum(a) / a.length;
    double var = 0;
    for (double x : a) {
      var += (x - mean) * (x - mean);
    }
    return mean == 0 ? 0 : Math.sqrt(var / a.length) / mean;
  }

  /** Jain's index of ok/requests across well-behaved clients with at least 5 requests. */
  private static double jain(RunRecorder r) {
    double sum = 0;
    double sumSq = 0;
    int n = 0;
    for (int s = 0; s < r.clientRequests.length; s++) {
      for (int c = 0; c < r.clientRequests[s].length; c++) {
        long req = r.clientRequests[s][c];
        if (req >= 5) {
          double x = (double) r.clientOk[s][c] / req;
          sum += x;
          sumSq += x * x;
          n++;
        }
      }
    }
    return n == 0 || sumSq == 0 ? 1 : sum * sum / (n * sumSq);
  }
}
