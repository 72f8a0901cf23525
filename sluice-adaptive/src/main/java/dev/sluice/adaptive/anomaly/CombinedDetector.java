package dev.sluice.adaptive.anomaly;

import java.util.List;

/**
 * A scope's score from several detectors fed the same series: the maximum of their scores, or
 * their noisy-or {@code 1 − Π(1 − sᵢ)}. Single writer; the parts' memory.
 */
public final class CombinedDetector implements Detector {

  /** How part scores merge. */
  public enum Rule {
    /** The highest part score. */
    MAX,
    /** {@code 1 − Π(1 − sᵢ)}: independent evidence adds up. */
    NOISY_OR
  }

  private final Rule rule;
  private final List<Detector> parts;
  private AnomalyKind kind;

  private CombinedDetector(Rule rule, List<Detector> parts) {
    this.rule = rule;
    this.parts = parts;
    this.kind = parts.getFirst().kind();
  }

  /** Combines {@code parts} (at least one) by {@code rule}; the parts are used, not copied. */
  public static CombinedDetector of(Rule rule, List<? extends Detector> parts) {
    if (rule == null) {
      throw new IllegalArgumentException("rule: null (expected: MAX or NOISY_OR)");
    }
    if (parts == null || parts.isEmpty()) {
      throw new IllegalArgumentException("parts: " + parts + " (expected: at least one detector)");
    }
    return new CombinedDetector(rule, List.copyOf(parts));
  }

  @Override
  public double update(long nanos, double value) {
    double best = -1;
    double none = 1;
    for (Detector d : parts) {
      double s = d.update(nanos, value);
      if (s > best) {
        best = s;
        kind = d.kind();
      }
      none *= 1 - s;
    }
    return rule == Rule.MAX ? best : 1 - none;
  }

  @Override
  public AnomalyKind kind() {
    return kind;
  }

  @Override
  public Detector copy() {
    return new CombinedDetector(rule, parts.stream().map(Detector::copy).toList());
  }
}
