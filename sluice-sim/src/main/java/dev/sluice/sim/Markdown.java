package dev.sluice.sim;

import java.util.List;
import java.util.Locale;

/** Renders {@code report.md}: the scenario, one table row per policy (mean ± 95 % CI), charts. */
final class Markdown {

  private Markdown() {}

  private static final List<String[]> COLUMNS = List.of(
      new String[] {"goodput_rps", "goodput/s", "%.1f"},
      new String[] {"goodput_vs_oracle", "÷ oracle", "%.3f"},
      new String[] {"p50_ms", "p50 ms", "%.0f"},
      new String[] {"p95_ms", "p95 ms", "%.0f"},
      new String[] {"p99_ms", "p99 ms", "%.0f"},
      new String[] {"compliant_rejection_rate", "compliant 429 %", "%%"},
      new String[] {"jain_fairness", "Jain", "%.3f"},
      new String[] {"settling_intervals", "settling (intervals)", "%.1f"},
      new String[] {"overshoot", "overshoot %", "%%"},
      new String[] {"admitted_cv", "admitted CV", "%.3f"},
      new String[] {"utilisation", "utilisation %", "%%"},
      new String[] {"rejected_total", "429s", "%.0f"});

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
    sb.append("Each cell is the mean over seeds ± the half-width of its 95 % confidence interval.\n\n");
    sb.append("| policy |");
    for (String[] c : COLUMNS) {
      sb.append(' ').append(c[1]).append(" |");
    }
    sb.append("\n|---|");
    for (int i = 0; i < COLUMNS.size(); i++) {
      sb.append("---:|");
    }
    sb.append('\n');
    for (String p : r.policies()) {
      sb.append("| ").append(p).append(" |");
      for (String[] c : COLUMNS) {
        sb.append(' ').append(cell(r.stats(p, c[0]), c[2])).append(" |");
      }
      sb.append('\n');
    }
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
    sb.append("\n## Charts (seed ").append(r.seeds().get(0)).append(")\n\n");
    for (String[] chart : Charts.FILES) {
      sb.append("### ").append(chart[1]).append("\n\n![").append(chart[1]).append("](").append(chart[0])
          .append(")\n\n");
    }
    sb.append("Per-second series of every run: `runs/POLICY-seedN.csv`; all numbers: `results.json`.\n");
    return sb.toString();
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
