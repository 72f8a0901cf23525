package dev.sluice.sim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runs of one experiment: per policy, one {@link RunResult} per seed, in seed order.
 *
 * @param scenario the scenario
 * @param seeds the seeds
 * @param policies the reported policies, in order
 * @param runs runs per policy
 */
public record ExperimentResult(Scenario scenario, List<Long> seeds, List<String> policies,
    Map<String, List<RunResult>> runs) {

  /** Returns the statistics over seeds of {@code metric} for {@code policy}. */
  public Stats stats(String policy, String metric) {
    List<RunResult> list = runs.get(policy);
    double[] xs = new double[list.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = list.get(i).metrics().get(metric);
    }
    return Stats.of(xs);
  }

  /** Returns the statistics over seeds of a per-tier metric. */
  public Stats tierStats(String policy, String tier, String metric) {
    List<RunResult> list = runs.get(policy);
    double[] xs = new double[list.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = list.get(i).tiers().get(tier).get(metric);
    }
    return Stats.of(xs);
  }

  /** Returns in how many seeds {@code policy} passed the threshold labelled {@code label}. */
  public int passed(String policy, String label) {
    int n = 0;
    for (RunResult r : runs.get(policy)) {
      if (Boolean.TRUE.equals(r.thresholds().get(label))) {
        n++;
      }
    }
    return n;
  }

  /** Returns every metric's statistics per policy, in report order. */
  public Map<String, Map<String, Stats>> table() {
    Map<String, Map<String, Stats>> out = new LinkedHashMap<>();
    for (String p : policies) {
      Map<String, Stats> m = new LinkedHashMap<>();
      for (String metric : RunResult.METRICS) {
        m.put(metric, stats(p, metric));
      }
      out.put(p, m);
    }
    return out;
  }
}
