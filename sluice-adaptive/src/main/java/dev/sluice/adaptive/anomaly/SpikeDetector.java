package dev.sluice.adaptive.anomaly;

/**
 * Scores each window by its residual against a {@link Baseline} forecast, scaled by a robust
 * {@link Spread}: {@code z = (x − forecast) / spread}, score {@code z² / (z² + k²)}, so 0.5 at
 * {@code |z| = k} (default 4σ). Single writer; memory is the baseline's and the spread's.
 */
public final class SpikeDetector implements Detector {
  private final Settings settings;
  private final Normaliser normaliser;
  private final double[] recent;
  private int recentCount;
  private int recentNext;
  private double recentSum;

  private SpikeDetector(Settings settings) {
    this.settings = settings;
    this.normaliser = settings.normaliser();
    this.recent = new double[settings.average];
  }

  /** A spike detector with the default settings: EWMA(0.1) baseline, EWMA |residual| (0.01) spread, k = 4. */
  public static SpikeDetector of() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public double update(long nanos, double value) {
    if (!Double.isFinite(value)) {
      return 0;
    }
    double z = normaliser.update(nanos, average(value));
    if (Double.isNaN(z) || (settings.upwardOnly && z < 0)) {
      return 0;
    }
    return Checks.saturate(z * z, settings.halfScoreSigma * settings.halfScoreSigma);
  }

  /** The mean of the last {@code average} values (the value itself when {@code average} is 1). */
  private double average(double value) {
    if (recent.length == 1) {
      return value;
    }
    if (recentCount == recent.length) {
      recentSum -= recent[recentNext];
    } else {
      recentCount++;
    }
    recent[recentNext] = value;
    recentSum += value;
    recentNext = (recentNext + 1) % recent.length;
    return recentSum / recentCount;
  }

  @Override
  public AnomalyKind kind() {
    return AnomalyKind.SPIKE;
  }

  @Override
  public Detector copy() {
    return new SpikeDetector(settings);
  }

  private record Settings(Baseline baseline, Spread spread, double halfScoreSigma, int warmup, double clip,
      double absoluteFloor, double relativeFloor, boolean upwardOnly, int average) {
    Normaliser normaliser() {
      return new Normaliser(baseline.copy(), spread.copy(), warmup, clip, absoluteFloor, relativeFloor);
    }
  }

  /** Settings of a {@link SpikeDetector}; each setter validates its argument. */
  public static final class Builder {
    private Baseline baseline = Baseline.ewma(0.1);
    private Spread spread = Spread.ewmaAbsolute(0.01);
    private double halfScoreSigma = 4;
    private int warmup = 20;
    private double clip = 3;
    private double absoluteFloor = 1e-9;
    private double relativeFloor = 0.001;
    private boolean upwardOnly;
    private int average = 1;

    private Builder() {}

    /**
     * Scores the mean of the last {@code windows} values instead of each value (default 1): a
     * longer view sees a lasting shift smaller than one window's noise; a ring of that many doubles.
     */
    public Builder average(int windows) {
      this.average = Checks.atLeast("average", windows, 1);
      return this;
    }

    /** The forecast residuals are measured against (default EWMA, alpha 0.1). */
    public Builder baseline(Baseline baseline) {
      if (baseline == null) {
        throw new IllegalArgumentException("baseline: null (expected: a baseline)");
      }
      this.baseline = baseline;
      return this;
    }

    /** The residuals' scale (default EWMA of |residual|, alpha 0.01). */
    public Builder spread(Spread spread) {
      if (spread == null) {
        throw new IllegalArgumentException("spread: null (expected: a spread)");
      }
      this.spread = spread;
      return this;
    }

    /** The |z| that scores 0.5 (default 4). */
    public Builder halfScoreSigma(double k) {
      this.halfScoreSigma = Checks.positive("halfScoreSigma", k);
      return this;
    }

    /** Values that only train before the first score (default 20, at least 2). */
    public Builder warmup(int windows) {
      this.warmup = Checks.atLeast("warmup", windows, 2);
      return this;
    }

    /** Residuals are clipped to ±clip spreads before the baseline and spread learn them (default 3). */
    public Builder clip(double spreads) {
      this.clip = Checks.positive("clip", spreads);
      return this;
    }

    /** The spread's floor: {@code absolute + relative · |forecast|} (default 1e-9 and 0.001). */
    public Builder floor(double absolute, double relative) {
      this.absoluteFloor = Checks.nonNegative("floor.absolute", absolute);
      this.relativeFloor = Checks.nonNegative("floor.relative", relative);
      return this;
    }

    /** Score only values above the forecast (a rate limiter's case; default both ways). */
    public Builder upwardOnly(boolean upwardOnly) {
      this.upwardOnly = upwardOnly;
      return this;
    }

    /** The detector. */
    public SpikeDetector build() {
      return new SpikeDetector(new Settings(baseline, spread, halfScoreSigma, warmup, clip, absoluteFloor,
          relativeFloor, upwardOnly, average));
    }
  }
}
