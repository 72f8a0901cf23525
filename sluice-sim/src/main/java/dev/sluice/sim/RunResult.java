package dev.sluice.sim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one run of one policy with one seed measured: named metrics, per-tier latency quantiles,
 * per-second series, the scenario's latency thresholds passed or failed, and the conservation
 * counts (every logical request ends exactly once, or is still in flight when the run stops).
 *
 * <p>The yardstick: the <em>ideal</em> of a second is {@code min(offered tokens, true capacity
 * tokens)}, where offered tokens are those of the new logical requests that second (first attempts;
 * retries are not new demand) and true capacity is what the backend can finish that second —
 * {@code workers × 1000 ÷ (mean service ms per token × service factor)} tokens, 0 while it is down
 * (see {@code docs/simulator.md}). Goodput is counted in tokens (cost-weighted) and in requests.
 *
 * @param policy the policy
 * @param seed the seed
 * @param metrics metric name to value, in report order (see {@link #METRICS})
 * @param tiers per tier: {@code p50_ms}, {@code p95_ms}, {@code p99_ms}
 * @param series per-second series by name (see {@link #SERIES})
 * @param thresholds per scenario threshold (its label), whether this run passed it
 * @param requests logical requests offered
 * @param succeeded logical requests answered 2xx
 * @param failed logical requests that ended in a 5xx or timeout
 * @param rejected logical requests that ended in a 429
 * @param inFlight logical requests unfinished at the end
 * @param anomalies what the anomaly response flagged and why ({@link AnomalyReport#NONE} without it)
 */
public record RunResult(
    String policy, long seed, Map<String, Double> metrics, Map<String, Map<String, Double>> tiers,
    Map<String, double[]> series, Map<String, Boolean> thresholds, long requests, long succeeded, long failed,
    long rejected, long inFlight, AnomalyReport anomalies) {

  /** Metric names, in report order; {@code goodput_vs_oracle} is filled in by {@link Experiment}. */
  public static final java.util.List<String> METRICS = java.util.List.of(
      "goodput_tps", "goodput_vs_ideal", "goodput_vs_oracle", "ideal_tps", "goodput_rps", "throughput_rps",
      "offered_rps", "mean_ms", "p50_ms", "p95_ms", "p99_ms", "compliant_rejection_rate",
      "compliant_rejection_below_capacity", "jain_fairness", "settling_s", "settling_max_s", "settling_intervals",
      "overshoot", "overshoot_max", "admitted_cv", "utilisation", "rejected_total", "timeouts_total", "errors_total",
      "static_fraction", "attack_compliant_rejection", "attack_admitted_vs_capacity", "attack_source_share",
      "attack_share_of_rate", "attack_detection_s", "anomaly_alarms_per_hour", "attack_watch_detection_s",
      "attack_watch_multiple", "watch_flags_per_hour", "watch_false_flags_per_hour", "watch_alerts_per_hour");

  /** Per-second series names. */
  public static final java.util.List<String> SERIES = java.util.List.of(
      "offered_tokens", "demand_tokens", "admitted_tokens", "capacity", "ideal_tokens", "refill_rate",
      "inflight_limit", "goodput", "goodput_tokens", "rejected", "errors", "p50_ms", "p95_ms", "p99_ms");

  static RunResult of(Scenario sc, String policy, long seed, RunRecorder r, Backend b, long inFlight,
      double staticRate, AnomalyReport anomalies) {
    double secs = sc.seconds();
    double[] ideal = new double[r.seconds];
    for (int s = 0; s < r.seconds; s++) {
      ideal[s] = Math.min(r.demandTokens[s], r.capacity[s]);
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("goodput_tps", r.goodTokensTotal / secs);
    m.put("goodput_vs_ideal", sum(ideal) > 0 ? r.goodTokensTotal / sum(ideal) : Double.NaN);
    m.put("goodput_vs_oracle", Double.NaN);
    m.put("ideal_tps", sum(ideal) / secs);
    m.put("goodput_rps", sum(r.good) / secs);
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
    m.put("jain_fairness", r.fairness.jain());
    double[] dyn = Dynamics.measure(r.admittedTokens, ideal, Dynamics.steps(sc, r.capacity));
    m.put("settling_s", dyn[0]);
    m.put("settling_max_s", dyn[1]);
    m.put("settling_intervals", dyn[0] / (sc.adaptive().interval().toNanos() / 1e9));
    m.put("overshoot", dyn[2]);
    m.put("overshoot_max", dyn[3]);
    m.put("admitted_cv", cv(r.admittedTokens));
    m.put("utilisation", ratio(b.busyIntegral, b.availableIntegral));
    m.put("rejected_total", (double) r.rejections);
    m.put("timeouts_total", (double) r.timeouts);
    m.put("errors_total", (double) r.serverErrors);
    m.put("static_fraction", staticRate / sc.nominalCapacity());
    attack(m, r, secs);
    watch(m, sc, r, secs);
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
    series.put("demand_tokens", r.demandTokens);
    series.put("admitted_tokens", r.admittedTokens);
    series.put("capacity", r.capacity);
    series.put("ideal_tokens", ideal);
    series.put("refill_rate", r.refill);
    series.put("inflight_limit", r.inflightLimit);
    series.put("goodput", r.good);
    series.put("goodput_tokens", r.goodTokens);
    series.put("rejected", r.rejected);
    series.put("errors", r.errors);
    series.put("p50_ms", r.p50);
    series.put("p95_ms", r.p95);
    series.put("p99_ms", r.p99);
    Map<String, Boolean> passed = new LinkedHashMap<>();
    for (Scenario.Threshold t : sc.thresholds()) {
      passed.put(t.label(), quantile(r.all, t.percentile()) < t.millis());
    }
    return new RunResult(policy, seed, m, tiers, series, passed, r.logicalOffered, r.logicalOk, r.logicalFailed,
        r.logicalRejected, inFlight, anomalies);
  }

  /**
   * The attack metrics: over the seconds in which non-compliant sources send (the attack), the
   * share of compliant attempts rejected; from 30 s after the attack's first second on, the highest
   * admitted tokens per second over capacity, the attack's share of admitted tokens and of the global
 * rate (the limiter's refill rate, as the control loop moved it); the seconds from the attack's
 * first second to the first flood event (negative: a false alarm before it; NaN: none); and
   * the flood events the anomaly response opened, per hour of run. NaN without an attack.
   */
  private static void attack(Map<String, Double> m, RunRecorder r, double secs) {
    int first = -1;
    double rej = 0;
    double att = 0;
    for (int s = 0; s < r.seconds; s++) {
      if (r.attackAttempts[s] > 0) {
        first = first < 0 ? s : first;
        rej += r.compliantRejected[s];
        att += r.compliantAttempts[s];
      }
    }
    double maxRatio = first < 0 ? Double.NaN : 0;
    double attackTokens = 0;
    double admitted = 0;
    double rate = 0;
    for (int s = Math.max(0, first + 30); first >= 0 && s < r.seconds; s++) {
      if (r.attackAttempts[s] > 0 && r.capacity[s] > 0) {
        maxRatio = Math.max(maxRatio, r.admittedTokens[s] / r.capacity[s]);
        attackTokens += r.attackAdmitted[s];
        admitted += r.admittedTokens[s];
        rate += r.refill[s];
      }
    }
    m.put("attack_compliant_rejection", first < 0 ? Double.NaN : ratio(rej, att));
    m.put("attack_admitted_vs_capacity", maxRatio);
    m.put("attack_source_share", first < 0 ? Double.NaN : ratio(attackTokens, admitted));
    m.put("attack_share_of_rate", first < 0 ? Double.NaN : ratio(attackTokens, rate));
    m.put("attack_detection_s", first < 0 || r.firstAnomalyNanos < 0 ? Double.NaN
        : r.firstAnomalyNanos / 1e9 - first);
    m.put("anomaly_alarms_per_hour", r.anomalyEvents * 3600.0 / secs);
  }

  /**
   * The spike and drift watch's metrics: the second of run time at which the first spike or drift
   * event opened on a client or tier of the non-compliant sources, and their scheduled rate then
   * over their rate in the first second they send ({@code attack_watch_multiple}: how far a drift
   * had gone when it was caught; NaN when none was); spike and drift events per hour of run on
   * clients (flags: the offender response acts), on compliant sources' clients (false flags) and
   * on tiers (alerts).
   */
  private static void watch(Map<String, Double> m, Scenario sc, RunRecorder r, double secs) {
    double detected = r.firstWatchNanos < 0 ? Double.NaN : r.firstWatchNanos / 1e9;
    double base = 0;
    double then = 0;
    int at = Double.isNaN(detected) ? -1 : (int) Math.min(sc.seconds() - 1, (long) detected);
    int first = -1;
    for (Scenario.Source s : sc.sources()) {
      if (!s.compliant()) {
        for (int i = 0; i < s.rates().length && first < 0; i++) {
          first = s.rates()[i] > 0 ? i : -1;
        }
      }
    }
    for (Scenario.Source s : sc.sources()) {
      if (!s.compliant() && first >= 0) {
        base += s.rates()[first];
        then += at >= 0 ? s.rates()[at] : 0;
      }
    }
    m.put("attack_watch_detection_s", detected);
    m.put("attack_watch_multiple", at < 0 || base <= 0 ? Double.NaN : then / base);
    m.put("watch_flags_per_hour", r.watchClientFlags * 3600.0 / secs);
    m.put("watch_false_flags_per_hour", r.watchFalseFlags * 3600.0 / secs);
    m.put("watch_alerts_per_hour", r.watchTierAlerts * 3600.0 / secs);
  }

  /** Returns a copy reported as {@code name} with {@code goodput_vs_oracle} set. */
  RunResult withOracleRatio(String name, double ratio) {
    Map<String, Double> m = new LinkedHashMap<>(metrics);
    m.put("goodput_vs_oracle", ratio);
    return new RunResult(name, seed, m, tiers, series, thresholds, requests, succeeded, failed, rejected, inFlight,
        anomalies);
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
}
