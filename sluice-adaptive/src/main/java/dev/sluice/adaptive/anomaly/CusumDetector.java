package dev.sluice.adaptive.anomaly;

/**
 * Two-sided CUSUM on the normalised residual against a slow EWMA baseline: {@code S⁺ = max(0, S⁺ +
 * z − k)}, {@code S⁻ = max(0, S⁻ − z − k)}, score {@code S / (S + h)} with {@code S = max(S⁺, S⁻)},
 * so 0.5 when the classical alarm {@code S ≥ h} fires. Single writer; a few doubles of state.
 *
 * <p>Design note: z is clipped to ±{@code clip} before it is summed, so one spike alone cannot
 * raise an alarm (that is the spike detector's job) while a lasting shift of a few spreads adds up
 * within a few windows. A slow ramp leaves the EWMA behind by a constant lag, a lasting positive
 * residual, which CUSUM accumulates. After an alarm the sums and the baseline restart (a fresh
 * warm-up), so a new level becomes the new normal instead of alarming forever.
 */
public final class CusumDetector implements Detector {
  private final double k;
  private final double h;
  private final double clip;
  private final Normaliser template;
  private Normaliser normaliser;
  private double up;
  private double down;

  private CusumDetector(double k, double h, double clip, Normaliser template) {
    this.k = k;
    this.h = h;
    this.clip = clip;
    this.template = template;
    this.normaliser = template.fresh();
  }

  /** CUSUM with k = 0.5, h = 8, z clipped to ±4, EWMA(0.02) baseline, EWMA |residual| (0.02) spread, 30 warm-up windows. */
  public static CusumDetector of() {
    return of(0.5, 8, 0.02);
  }

  /**
   * CUSUM with the given allowance and decision interval.
   *
   * @param k the allowance per window, in spreads (≥ 0; half the shift to detect, classically)
   * @param h the decision interval, in spreads (> 0)
   * @param baselineAlpha the EWMA baseline's smoothing factor in (0, 1]
   */
  public static CusumDetector of(double k, double h, double baselineAlpha) {
    Checks.nonNegative("k", k);
    Checks.positive("h", h);
    return new CusumDetector(k, h, 4,
        new Normaliser(Baseline.ewma(baselineAlpha), Spread.ewmaAbsolute(0.02), 30, 3, 1e-9, 0.001));
  }

  /**
   * CUSUM with the given allowance and decision interval, measuring residuals against {@code
   * baseline} (a copy is taken at each restart), e.g. a trained forecaster's.
   */
  public static CusumDetector of(double k, double h, Baseline baseline) {
    Checks.nonNegative("k", k);
    Checks.positive("h", h);
    if (baseline == null) {
      throw new IllegalArgumentException("baseline: null (expected: a baseline)");
    }
    return new CusumDetector(k, h, 4, new Normaliser(baseline.copy(), Spread.ewmaAbsolute(0.02), 30, 3, 1e-9, 0.001));
  }

  @Override
  public double update(long nanos, double value) {
    if (!Double.isFinite(value)) {
      return 0;
    }
    double z = normaliser.update(nanos, value);
    if (Double.isNaN(z)) {
      return 0;
    }
    z = Math.max(-clip, Math.min(clip, z));
    up = Math.max(0, up + z - k);
    down = Math.max(0, down - z - k);
    double s = Math.max(up, down);
    if (s >= h) {
      up = 0;
      down = 0;
      normaliser = template.fresh();
    }
    return Checks.saturate(s, h);
  }

  @Override
  public AnomalyKind kind() {
    return AnomalyKind.DRIFT;
  }

  @Override
  public Detector copy() {
    return new CusumDetector(k, h, clip, template);
  }
}
