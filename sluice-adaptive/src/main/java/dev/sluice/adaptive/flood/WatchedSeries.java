package dev.sluice.adaptive.flood;

import dev.sluice.adaptive.anomaly.Baseline;
import dev.sluice.adaptive.anomaly.CusumDetector;
import dev.sluice.adaptive.anomaly.PageHinkleyDetector;
import dev.sluice.adaptive.anomaly.SpikeDetector;

/**
 * One series the watch scores (a tier's demand, or a client's share of all demand): an upward
 * {@link SpikeDetector} against a {@link Baseline}, and CUSUM (same baseline) and Page-Hinkley for
 * drift; single writer (the response's step thread). A few dozen doubles of state.
 *
 * <p>Design note: CUSUM and Page-Hinkley are two-sided, but only a rise is abuse, so a drift counts
 * only while a fast EWMA (0.3) of the series is above a slow one (0.02). After a drift alarm both
 * restart and re-learn for their warm-up; the alarm's score is latched for {@code latch} drift
 * updates meanwhile, so the response does not let go of a tenant that is still ramping. A spike
 * holds until the next spike update scores it again.
 */
final class WatchedSeries {
  private static final double FAST = 0.3;
  private static final double SLOW = 0.02;

  private final SpikeDetector spike;
  private final CusumDetector cusum;
  private final PageHinkleyDetector pageHinkley;
  private final Baseline reference;
  private final double threshold;
  private final int latch;
  private double fast = Double.NaN;
  private double slow = Double.NaN;
  private long drifts;
  private double spikeScore;
  private double driftScore;
  private double heldDrift;
  private int hold;

  /**
   * A series whose spike and CUSUM residuals are against {@code baseline}; Page-Hinkley sees the
   * values themselves, or with {@code residualDrift} their residuals against a copy of {@code
   * baseline} (a tier, whose baseline may be a trend-following model: then a ramp the model
   * foresees is no drift).
   */
  WatchedSeries(Baseline baseline, double spikeSigma, double threshold, int latch, boolean residualDrift) {
    this.reference = residualDrift ? baseline.copy() : null;
    this.spike = SpikeDetector.builder().baseline(baseline).halfScoreSigma(spikeSigma).upwardOnly(true).warmup(30)
        .build();
    this.cusum = CusumDetector.of(0.5, 8, baseline);
    this.pageHinkley = PageHinkleyDetector.of();
    this.threshold = threshold;
    this.latch = latch;
  }

  /** Scores a spike of {@code value} at {@code nanos}. */
  void spike(long nanos, double value) {
    spikeScore = spike.update(nanos, value);
  }

  /** Scores a drift of {@code value} at {@code nanos}. */
  void drift(long nanos, double value) {
    double c = cusum.update(nanos, value);
    double x = value;
    if (reference != null) {
      double f = reference.forecast();
      x = Double.isNaN(f) ? 0 : value - f;
      reference.observe(nanos, value);
    }
    double p = pageHinkley.update(nanos, x);
    drifts++;
    double g = Math.max(SLOW, 1.0 / drifts);
    slow = Double.isNaN(slow) ? value : slow + g * (value - slow);
    fast = Double.isNaN(fast) ? value : fast + Math.max(FAST, 1.0 / drifts) * (value - fast);
    double d = fast > slow ? Math.max(c, p) : 0;
    if (hold > 0) {
      hold--;
    }
    if (d >= threshold) {
      heldDrift = Math.max(hold > 0 ? heldDrift : 0, d);
      hold = latch;
    } else if (hold == 0) {
      heldDrift = 0;
    }
    driftScore = Math.max(d, heldDrift);
  }

  /** Feeds {@code value} to both (a client: one update per interval). */
  void update(long nanos, double value) {
    spike(nanos, value);
    drift(nanos, value);
  }

  /** The score now: the larger of the last spike score and the (latched) drift score. */
  double score() {
    return Math.max(spikeScore, driftScore);
  }

  /** What the score is: {@code spike} or {@code drift}. */
  String kind() {
    return spikeScore >= driftScore ? "spike" : "drift";
  }
}
