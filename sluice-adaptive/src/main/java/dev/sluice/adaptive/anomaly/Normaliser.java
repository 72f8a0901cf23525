package dev.sluice.adaptive.anomaly;

/**
 * Turns values into normalised residuals {@code z = (x − forecast) / spread}; single writer.
 *
 * <p>Design note: the baseline and the spread learn from the residual clipped to {@code ±clip ·
 * spread} (a Huber-style update), so one spike moves neither much while a lasting level shift is
 * still followed, at most {@code clip} spreads per step times the baseline's own gain. The spread
 * has a floor, {@code absoluteFloor + relativeFloor · |forecast|}, so a flat series does not turn
 * its first wiggle into an infinite score. The first {@code warmup} values only train.
 */
final class Normaliser {
  private final Baseline baseline;
  private final Spread spread;
  private final int warmup;
  private final double clip;
  private final double absoluteFloor;
  private final double relativeFloor;
  private long seen;

  Normaliser(Baseline baseline, Spread spread, int warmup, double clip, double absoluteFloor, double relativeFloor) {
    this.baseline = baseline;
    this.spread = spread;
    this.warmup = Checks.atLeast("warmup", warmup, 2);
    this.clip = Checks.positive("clip", clip);
    this.absoluteFloor = Checks.nonNegative("absoluteFloor", absoluteFloor);
    this.relativeFloor = Checks.nonNegative("relativeFloor", relativeFloor);
  }

  /** A fresh normaliser with the same settings and no history. */
  Normaliser fresh() {
    return new Normaliser(baseline.copy(), spread.copy(), warmup, clip, absoluteFloor, relativeFloor);
  }

  /** The current spread (with its floor); NaN before two values. */
  double scale() {
    double f = baseline.forecast();
    double s = spread.scale();
    if (Double.isNaN(f) || Double.isNaN(s)) {
      return Double.NaN;
    }
    return Math.max(s, Math.max(absoluteFloor + relativeFloor * Math.abs(f), Double.MIN_NORMAL));
  }

  /** The normalised residual of {@code value} before learning from it; NaN while warming up. */
  double update(long nanos, double value) {
    double f = baseline.forecast();
    if (Double.isNaN(f)) {
      baseline.observe(nanos, value);
      seen++;
      return Double.NaN;
    }
    double r = value - f;
    double s = scale();
    double z = Double.isNaN(s) ? Double.NaN : r / s;
    boolean warming = seen < warmup;
    double learn = warming || Double.isNaN(s) ? r : Math.max(-clip * s, Math.min(clip * s, r));
    spread.observe(learn);
    baseline.observe(nanos, f + learn);
    seen++;
    return warming ? Double.NaN : z;
  }
}
