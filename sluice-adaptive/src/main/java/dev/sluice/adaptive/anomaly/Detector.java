package dev.sluice.adaptive.anomaly;

/**
 * A streaming anomaly detector over one series; single writer (not thread-safe: one caller feeds
 * it, in time order).
 *
 * <p>Contract: memory stays bounded whatever the series' length; the score is a pure function of
 * the values and timestamps passed so far (no clock is read); scores lie in [0, 1], with 0.5 the
 * detector's own alarm line (a caller may pick another threshold).
 */
public interface Detector {

  /**
   * Takes the next window's value and returns its score in [0, 1].
   *
   * @param nanos the window's time on the injected clock (non-decreasing)
   * @param value the window's value (a count, a rate); a non-finite value is ignored and scores 0
   */
  double update(long nanos, double value);

  /** What this detector looks for; for a combined detector, the kind of the part that scored highest last. */
  AnomalyKind kind();

  /** The last score with its kind. */
  default Score score(long nanos, double value) {
    return new Score(kind(), update(nanos, value));
  }

  /** A fresh detector with the same settings and no history. */
  Detector copy();
}
