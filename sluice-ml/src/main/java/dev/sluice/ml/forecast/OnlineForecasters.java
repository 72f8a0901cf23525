package dev.sluice.ml.forecast;

import dev.sluice.adaptive.DemandForecaster;
import java.util.Arrays;
import java.util.List;

/**
 * The online forecasters the {@code predictive} controller runs in-process: each call fits on the
 * history it is given and forecasts the next window. Stateless and thread-safe.
 *
 * <ul>
 *   <li>{@code holt}: damped Holt (Holt-Winters without a season, {@link HoltWinters} with m = 1),
 *       its (α, β, φ) refit by the same grid search on the whole history at every call. A daily
 *       season needs two days of windows; at 1 s windows that is what a registry model learned
 *       offline is for.
 *   <li>{@code ewma}: the EWMA of the baseline, α = {@link Forecasters#EWMA_ALPHA}.
 * </ul>
 *
 * <p>The 90 % upper bound is split-conformal as in {@link Intervals}: the 95th percentile of the
 * last {@link #ERROR_WINDOW} one-step errors of the fitted model over the history (each scaled by
 * {@code sqrt(max(1, |forecast|))}), scaled back at the new forecast. Every forecast and error it
 * uses reads only the history: the window being forecast is not in it.
 */
public final class OnlineForecasters {

  /** The names {@link #of} accepts. */
  public static final List<String> NAMES = List.of("holt", "ewma");

  /** How many recent one-step errors size the interval. */
  public static final int ERROR_WINDOW = 120;

  private OnlineForecasters() {}

  /** Returns the online forecaster called {@code name}. */
  public static DemandForecaster of(String name) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("forecaster: " + name + " (expected: one of " + NAMES + ")");
    }
    return new Online(name);
  }

  private record Online(String kind) implements DemandForecaster {
    @Override
    public Forecast forecast(double[] history, double stepSeconds) {
      int n = history.length;
      if (n < 2) {
        throw new IllegalArgumentException("history: " + n + " windows (expected: >= 2)");
      }
      // One slot past the history, never read: run() forecasts y[n] from y[0..n-1].
      double[] y = Arrays.copyOf(history, n + 1);
      double[] f = kind.equals("holt") ? holt(y, n) : ewma(y);
      return new Forecast(f[n], upper(y, f, n));
    }

    @Override
    public String version() {
      return "online:" + kind;
    }
  }

  private static double[] holt(double[] y, int n) {
    double[] params = HoltWinters.fit(y, 1, 1, true, n);
    return HoltWinters.forecast(y, 1, 1, true, params);
  }

  private static double[] ewma(double[] y) {
    double[] f = Baselines.nan(y.length);
    double level = y[0];
    for (int t = 0; t + 1 < y.length; t++) {
      level = t == 0 ? y[0] : Forecasters.EWMA_ALPHA * y[t] + (1 - Forecasters.EWMA_ALPHA) * level;
      f[t + 1] = level;
    }
    return f;
  }

  /** The conformal 90 % upper bound of {@code f[n]} from the errors at windows before n; NaN with < 20. */
  static double upper(double[] y, double[] f, int n) {
    double[] errors = new double[ERROR_WINDOW];
    int k = 0;
    for (int t = Math.max(0, n - ERROR_WINDOW); t < n; t++) {
      if (!Double.isNaN(f[t])) {
        errors[k++] = (y[t] - f[t]) / scale(f[t]);
      }
    }
    if (k < 20) {
      return Double.NaN;
    }
    Arrays.sort(errors, 0, k);
    return Math.max(f[n], f[n] + scale(f[n]) * Intervals.quantile(errors, k, Intervals.HIGH));
  }

  private static double scale(double forecast) {
    return Math.sqrt(Math.max(1, Math.abs(forecast)));
  }

  /**
   * Returns damped Holt's smoothing parameters {α, β, γ = 0, φ} fitted by {@link HoltWinters}'s
   * grid search on one-step MAE over {@code y[0, end)}: what a registry demand model stores.
   */
  public static double[] fitHolt(double[] y, int end) {
    return HoltWinters.fit(y, 1, 1, true, end);
  }

  /**
   * Returns the mean absolute one-step error over {@code y[from, y.length)} of damped Holt with
   * fixed {@code params}, run over the whole series (each forecast reads only earlier windows).
   */
  public static double holtMae(double[] y, double[] params, int from) {
    return HoltWinters.mae(y, HoltWinters.forecast(y, 1, 1, true, params), from, y.length);
  }

  /**
   * Returns a forecaster running damped Holt with fixed {@code params} (no refit), reporting
   * {@code version}; the interval as for the online ones.
   */
  public static DemandForecaster holt(double[] params, String version) {
    double[] p = params.clone();
    return new DemandForecaster() {
      @Override
      public Forecast forecast(double[] history, double stepSeconds) {
        int n = history.length;
        double[] y = Arrays.copyOf(history, n + 1);
        double[] f = HoltWinters.forecast(y, 1, 1, true, p);
        return new Forecast(f[n], upper(y, f, n));
      }

      @Override
      public String version() {
        return version;
      }
    };
  }
}
