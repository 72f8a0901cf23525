package dev.sluice.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders {@code report.md}: the scenario, the yardstick, tables with one row per policy (mean ±
 * 95 % CI half-width over seeds), the thresholds, what each policy is, per-tier latency, charts.
 */
final class Markdown {

  private Markdown() {}

  /** Goodput and latency: metric, column title, format ({@code %%} = a fraction shown in %). */
  private static final List<String[]> GOODPUT = List.of(
      new String[] {"goodput_tps", "goodput tokens/s", "%.1f"},
      new String[] {"goodput_vs_ideal", "÷ ideal", "%.3f"},
      new String[] {"goodput_vs_oracle", "÷ oracle", "%.3f"},
      new String[] {"goodput_rps", "goodput req/s", "%.1f"},
      new String[] {"p50_ms", "p50 ms", "%.0f"},
      new String[] {"p95_ms", "p95 ms", "%.0f"},
      new String[] {"p99_ms", "p99 ms", "%.0f"},
      new String[] {"rejected_total", "429s", "%.0f"},
      new String[] {"timeouts_total", "timeouts", "%.0f"});

  /** Fairness, dynamics and rejections. */
  private static final List<String[]> BEHAVIOUR = List.of(
      new String[] {"jain_fairness", "Jain", "%.3f"},
      new String[] {"settling_s", "settling s", "%.1f"},
      new String[] {"settling_max_s", "worst settling s", "%.1f"},
      new String[] {"overshoot", "overshoot %", "%%"},
      new String[] {"overshoot_max", "worst overshoot %", "%%"},
      new String[] {"compliant_rejection_rate", "compliant 429 %", "%%"},
      new String[] {"compliant_rejection_below_capacity", "… below capacity %", "%%"},
      new String[] {"admitted_cv", "admitted CV", "%.3f"},
      new String[] {"utilisation", "utilisation %", "%%"});

  static String report(ExperimentResult r) {
    Scenario sc = r.scenario();
    StringBuilder sb = new StringBuilder();
    sb.append("# Simulation report: ").append(sc.name()).append("\n\n");
    if (!sc.description().isEmpty()) {
      sb.append(sc.description()).append("\n\n");
    }
    sb.append(String.format(Locale.ROOT, "%d s of virtual time, seeds %s; nominal capacity %.0f tokens/s "
        + "(%d workers, mean service %.0f ms); static baseline %.0f/s (%.0f %% of nominal); SLO %.0f ms.%n%n",
        sc.seconds(), r.seeds(), sc.nominalCapacity(), sc.backend().workers(), sc.backend().service().meanMillis(),
        sc.staticRate(), sc.staticFraction() * 100, sc.sloMillis()));
    String first = r.policies().get(0);
    sb.append(String.format(Locale.ROOT, "**Yardstick.** The ideal of each second is min(offered tokens, true "
        + "capacity tokens): offered = tokens of new requests (retries excluded), true capacity = workers ÷ mean "
        + "service time per token × that second's service factor (0 while down). Over this run it averages "
        + "%.1f tokens/s (mean over seeds). Goodput counts 2xx responses within the SLO, in tokens; `÷ ideal` "
        + "can pass 1 only where a queue carries work across a second. Each cell is the mean over seeds ± the "
        + "half-width of its 95 %% confidence interval.%n%n", r.stats(first, "ideal_tps").mean()));
    sb.append("## Goodput and latency\n\n");
    table(sb, r, GOODPUT);
    sb.append("\n## Fairness, settling and rejections\n\n");
    int[] steps = Dynamics.steps(sc, r.runs().get(first).get(0).series().get("capacity"));
    List<String> at = new ArrayList<>();
    for (int s : steps) {
      at.add(s + " s");
    }
    sb.append(steps.length == 0 ? "No steps in offered load or capacity: settling and overshoot do not apply (–).\n\n"
        : "Steps at " + String.join(", ", at) + ". Settling: seconds until the admitted rate (3 s mean) stays "
            + "within 10 % of the ideal; a policy that never settles scores the step's length. Overshoot: the "
            + "largest excess over the ideal.\n\n");
    table(sb, r, BEHAVIOUR);
    if (!sc.thresholds().isEmpty()) {
      thresholds(sb, r);
    }
    policies(sb, r);
    sb.append("\n## Latency per tier (ms, p50 / p95 / p99)\n\n| policy |");
    for (Scenario.TierModel t : sc.limiter().tiers()) {
      sb.append(' ').append(t.name()).append(" |");
    }
    sb.append("\n|---|");
    sb.append("---:|".repeat(sc.limiter().tiers().size()));
    sb.append('\n');
    for (String p : r.policies()) {
      sb.append("| ").append(p).append(" |");
      for (Scenario.TierModel t : sc.limiter().tiers()) {
        sb.append(String.format(Locale.ROOT, " %.0f / %.0f / %.0f |", r.tierStats(p, t.name(), "p50_ms").mean(),
            r.tierStats(p, t.name(), "p95_ms").mean(), r.tierStats(p, t.name(), "p99_ms").mean()));
      }
      sb.append('\n');
    }
    sb.append(AnomalyReport.section(r, true));
    sb.append("\n## Charts (seed ").append(r.seeds().get(0)).append(")\n\n");
    for (String[] chart : Charts.FILES) {
      sb.append("### ").append(chart[1]).append("\n\n![").append(chart[1]).append("](").append(chart[0])
          .append(")\n\n");
    }
    sb.append("Per-second series of every run: `runs/POLICY-seedN.csv`; all numbers: `results.json`.\n");
    return sb.toString();
  }

  private static void table(StringBuilder sb, ExperimentResult r, List<String[]> columns) {
    sb.append("| policy |");
    for (String[] c : columns) {
      sb.append(' ').append(c[1]).append(" |");
    }
    sb.append("\n|---|").append("---:|".repeat(columns.size())).append('\n');
    for (String p : r.policies()) {
      sb.append("| ").append(p).append(" |");
      for (String[] c : columns) {
        sb.append(' ').append(cell(r.stats(p, c[0]), c[2])).append(" |");
      }
      sb.append('\n');
    }
  }

  private static void thresholds(StringBuilder sb, ExperimentResult r) {
    List<Scenario.Threshold> ts = r.scenario().thresholds();
    sb.append("\n## Thresholds\n\nk6-style, on the run-wide latency of admitted requests (timeouts at the "
        + "deadline). 429s are left out: answered at once, they would let any policy that rejects enough pass. "
        + "Pass when every seed passes.\n\n| policy |");
    for (Scenario.Threshold t : ts) {
      sb.append(' ').append(t.label()).append(" |");
    }
    sb.append("\n|---|").append("---|".repeat(ts.size())).append('\n');
    for (String p : r.policies()) {
      sb.append("| ").append(p).append(" |");
      for (Scenario.Threshold t : ts) {
        int passed = r.passed(p, t.label());
        int n = r.seeds().size();
        sb.append(String.format(Locale.ROOT, " %s (%d/%d) |", passed == n ? "**pass**" : "fail", passed, n));
      }
      sb.append('\n');
    }
  }

  private static void policies(StringBuilder sb, ExperimentResult r) {
    Scenario sc = r.scenario();
    sb.append("\n## Policies\n\n");
    for (String p : r.policies()) {
      String what = switch (p) {
        case "static" -> String.format(Locale.ROOT, "a token bucket at %.0f %% of nominal capacity, never moved.",
            sc.staticFraction() * 100);
        case "static-best" -> "the best fixed rate in hindsight: per seed, the static run with the most goodput "
            + "in tokens among 0.50, 0.55, ..., 1.20 × nominal capacity; chosen: " + fractions(r, p) + ".";
        case "oracle" -> String.format(Locale.ROOT, "**simulation only** — sets the rate every second to the "
            + "true capacity of that second × %.2f, which no real policy can know; a reference, not a contender.",
            sc.oracleUtilisation());
        case "netflix-gradient2", "netflix-vegas" -> String.format(Locale.ROOT, "peer: Netflix concurrency-limits "
            + "0.5.4 `%s` (library defaults, initial limit %d) as an in-flight gate at the edge, fed the same "
            + "completions; no global token bucket.", p.equals("netflix-vegas") ? "VegasLimit" : "Gradient2Limit",
            Peers.initialLimit(sc));
        default -> "Sluice's control loop with " + String.join(" + ", sc.policies().getOrDefault(p, List.of()))
            + ".";
      };
      sb.append("- `").append(p).append("`: ").append(what).append('\n');
    }
  }

  private static String fractions(ExperimentResult r, String p) {
    List<String> out = new ArrayList<>();
    for (RunResult run : r.runs().get(p)) {
      out.add(String.format(Locale.ROOT, "%.2f×", run.metrics().get("static_fraction")));
    }
    return String.join(", ", out) + " (seeds " + r.seeds() + ")";
  }

  private static String cell(Stats s, String format) {
    if (Double.isNaN(s.mean())) {
      return "–";
    }
    if (format.equals("%%")) {
      return String.format(Locale.ROOT, "%.2f ± %.2f", s.mean() * 100, s.halfWidth() * 100);
    }
    return String.format(Locale.ROOT, format + " ± " + format, s.mean(), s.halfWidth());
  }
}
