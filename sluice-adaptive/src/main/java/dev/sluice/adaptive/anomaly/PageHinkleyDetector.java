package dev.sluice.adaptive.anomaly;

/**
 * Two-sided Page-Hinkley test: with {@code x̄} the running mean since the last alarm and {@code σ}
 * a robust spread, {@code d = (x − x̄) / σ}, {@code m⁺ += d − δ}, {@code m⁻ += −d − δ}, statistic
 * {@code PH = max(m⁺ − min m⁺, m⁻ − min m⁻)}, score {@code PH / (PH + λ)}, so 0.5 at the
 * classical alarm {@code PH ≥ λ}. Single writer; a few doubles of state.
 *
 * <p>Design note: unlike {@link CusumDetector}, whose reference is a slowly moving EWMA, the
 * reference here is the plain mean of everything since the last alarm: it never follows a ramp,
 * so a slow drift shows however slow it is; d is clipped to ±{@code clip} so a lone spike does not
 * count as a drift. After an alarm everything restarts.
 */
public final class PageHinkleyDetector implements Detector {
  private final double delta;
  private final double lambda;
  private final double clip;
  private final int warmup;
  private final Normaliser template;
  private Normaliser normaliser;
  private long n;
  private double mean;
  private double mUp;
  private double minUp;
  private double mDown;
  private double minDown;

  private PageHinkleyDetector(double delta, double lambda, double clip, int warmup, Normaliser template) {
    this.delta = delta;
    this.lambda = lambda;
    this.clip = clip;
    this.warmup = warmup;
    this.template = template;
    this.normaliser = template.fresh();
  }

  /** Page-Hinkley with δ = 0.5, λ = 10, d clipped to ±4, spread from an EWMA(0.05) baseline's residuals, 30 warm-up windows. */
  public static PageHinkleyDetector of() {
    return of(0.5, 10);
  }

  /**
   * Page-Hinkley with the given tolerance and threshold.
   *
   * @param delta the magnitude of change tolerated per window, in spreads (≥ 0)
   * @param lambda the alarm threshold, in spreads (> 0)
   */
  public static PageHinkleyDetector of(double delta, double lambda) {
    Checks.nonNegative("delta", delta);
    Checks.positive("lambda", lambda);
    return new PageHinkleyDetector(delta, lambda, 4, 30,
        new Normaliser(Baseline.ewma(0.05), Spread.ewmaAbsolute(0.02), 30, 3, 1e-9, 0.001));
  }

  @Override
  public double update(long nanos, double value) {
    if (!Double.isFinite(value)) {
      return 0;
    }
    double scale = normaliser.scale();
    normaliser.update(nanos, value);
    n++;
    double d = (value - mean) / scale;
    mean += (value - mean) / n;
    if (n <= warmup || Double.isNaN(scale)) {
      return 0;
    }
    d = Math.max(-clip, Math.min(clip, d));
    mUp += d - delta;
    minUp = Math.min(minUp, mUp);
    mDown += -d - delta;
    minDown = Math.min(minDown, mDown);
    double ph = Math.max(mUp - minUp, mDown - minDown);
    if (ph >= lambda) {
      n = 0;
      mean = 0;
      mUp = minUp = mDown = minDown = 0;
      normaliser = template.fresh();
    }
    return Checks.saturate(ph, lambda);
  }

  @Override
  public AnomalyKind kind() {
    return AnomalyKind.DRIFT;
  }

  @Override
  public Detector copy() {
    return new PageHinkleyDetector(delta, lambda, clip, warmup, template);
  }
}
