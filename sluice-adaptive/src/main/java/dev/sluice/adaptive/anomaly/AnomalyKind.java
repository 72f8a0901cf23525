package dev.sluice.adaptive.anomaly;

/** What a detector looks for. */
public enum AnomalyKind {
  /** A window far from its forecast, relative to the series' usual spread. */
  SPIKE,
  /** A sustained shift or ramp of the level (CUSUM, Page-Hinkley). */
  DRIFT,
  /** Demand spread over many low-rate clients. */
  FLOOD
}
