package dev.sluice.adaptive.anomaly;

/**
 * One detector's verdict on one window.
 *
 * @param kind what the score is about (for a combined detector: the kind of its highest part)
 * @param value the score in [0, 1]; at or above 0.5 the detector's own alarm rule fires
 */
public record Score(AnomalyKind kind, double value) {

  /** Validates the score. */
  public Score {
    if (kind == null) {
      throw new IllegalArgumentException("kind: null (expected: a kind)");
    }
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException("value: " + value + " (expected: >= 0 and <= 1)");
    }
  }
}
