package dev.sluice.adaptive;

import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link ControlStep} as Prometheus text: {@code sluice_refill_rate{tier}} for each
 * moved level ({@code tier="global"} for the global bucket) and
 * {@code sluice_controller_proposed_rate{controller,tier}} for each controller that ran, plus
 * {@code controller="composed"} for the rate the loop chose (applied, or proposed in shadow mode).
 * Controllers that abstained are left out. Stateless and thread-safe.
 */
public final class ControlMetrics {

  private ControlMetrics() {}

  /** Returns the metrics of {@code step} for the level named {@code target} (e.g. {@code global}). */
  public static String prometheus(ControlStep step, String target) {
    StringBuilder sb = new StringBuilder();
    sb.append("# HELP sluice_refill_rate Refill rate in force, tokens per second.\n");
    sb.append("# TYPE sluice_refill_rate gauge\n");
    for (Map.Entry<String, Double> e : step.levelRates().entrySet()) {
      sb.append("sluice_refill_rate{tier=\"").append(e.getKey()).append("\"} ").append(number(e.getValue())).append('\n');
    }
    sb.append("# HELP sluice_controller_proposed_rate Rate proposed by each controller, tokens per second.\n");
    sb.append("# TYPE sluice_controller_proposed_rate gauge\n");
    for (Map.Entry<String, Double> e : step.proposals().entrySet()) {
      if (e.getValue() != RateController.ABSTAIN) {
        line(sb, e.getKey(), target, e.getValue());
      }
    }
    line(sb, "composed", target, step.composedRate());
    return sb.toString();
  }

  private static void line(StringBuilder sb, String controller, String tier, double v) {
    sb.append("sluice_controller_proposed_rate{controller=\"").append(controller).append("\",tier=\"")
        .append(tier).append("\"} ").append(number(v)).append('\n');
  }

  private static String number(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
