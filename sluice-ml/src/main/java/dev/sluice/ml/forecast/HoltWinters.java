package dev.sluice.ml.forecast;

import dev.sluice.ml.data.Series;

/**
 * Holt-Winters exponential smoothing with a damped trend and daily seasonality, additive or
 * multiplicative. Immutable.
 *
 * <pre>
 * additive:        l_t = α(y_t − s_{t−m}) + (1−α)(l_{t−1} + φ b_{t−1})
 *                  s_t = γ(y_t − l_t) + (1−γ) s_{t−m}
 * multiplicative:  l_t = α(y_t / s_{t−m}) + (1−α)(l_{t−1} + φ b_{t−1})
 *                  s_t = γ(y_t / l_t) + (1−γ) s_{t−m}
 * both:            b_t = β(l_t − l_{t−1}) + (1−β) φ b_{t−1}
 *                  ŷ_{t+h|t} = (l_t + (φ + … + φ^h) b_t) ⊕ s_{t+h−m⌈h/m⌉}
 * </pre>
 *
 * <p>Fitting (training part only): the smoothing parameters of each variant come from a grid
 * search minimising the h-step MAE on the first 80 % of the training part; the variant with the
 * lower h-step MAE on the remaining 20 % wins (multiplicative only for series >= 0, run on y + 1
 * when a training value is 0), and its
 * parameters are fitted again on the whole training part. The state starts from the first day:
 * level = its mean, trend 0, seasonal indices = its deviations (ratios) from that mean. Without
 * two days of training data the season is 1 (damped Holt).
 */
record HoltWinters(Variant variant) implements Forecaster {

  /** Which seasonal form, or {@code AUTO} to choose by the backtest inside the training part. */
  enum Variant { AUTO, ADDITIVE, MULTIPLICATIVE }

  private static final double[] ALPHA = {0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8};
  private static final double[] BETA = {0, 0.01, 0.05};
  private static final double[] GAMMA = {0.01, 0.05, 0.1, 0.2, 0.35};
  private static final double[] PHI = {0.8, 0.9, 0.98};

  @Override
  public String name() {
    return "holt-winters";
  }

  @Override
  public double[] predict(Series series, int trainEnd, int horizon) {
    Forecaster.check(series, trainEnd, horizon);
    double[] y = series.values();
    int day = Forecaster.dailyPeriod(series);
    int m = day > 0 && 2 * day < trainEnd ? day : 1;
    double min = Double.POSITIVE_INFINITY;
    for (int t = 0; t < trainEnd; t++) {
      min = Math.min(min, y[t]);
    }
    double offset = min > 0 ? 0 : 1; // the multiplicative form runs on y + 1 when counts touch 0
    double[] z = y.clone();
    for (int t = 0; t < z.length; t++) {
      z[t] += offset;
    }
    Variant v = variant;
    if (v == Variant.AUTO) {
      int inner = (int) (trainEnd * 0.8);
      double add = mae(y, forecast(y, m, horizon, true, fit(y, m, horizon, true, inner)), inner, trainEnd);
      double mul = min >= 0 ? mae(z, forecast(z, m, horizon, false, fit(z, m, horizon, false, inner)), inner, trainEnd)
          : Double.POSITIVE_INFINITY;
      v = mul < add ? Variant.MULTIPLICATIVE : Variant.ADDITIVE;
    }
    if (v == Variant.ADDITIVE) {
      return forecast(y, m, horizon, true, fit(y, m, horizon, true, trainEnd));
    }
    if (min < 0) {
      throw new IllegalArgumentException("holt-winters: multiplicative needs a series >= 0 (expected: every"
          + " training value >= 0, found " + min + ")");
    }
    double[] f = forecast(z, m, horizon, false, fit(z, m, horizon, false, trainEnd));
    for (int t = 0; t < f.length; t++) {
      f[t] -= offset;
    }
    return f;
  }

  /** Grid search of (α, β, γ, φ) by h-step MAE on {@code y[0, end)}. */
  static double[] fit(double[] y, int m, int horizon, boolean additive, int end) {
    double best = Double.POSITIVE_INFINITY;
    double[] params = {0.3, 0, 0.1, 0.9};
    double[] head = java.util.Arrays.copyOf(y, end);
    for (double a : ALPHA) {
      for (double b : BETA) {
        for (double g : m > 1 ? GAMMA : new double[] {0}) {
          for (double p : PHI) {
            double[] candidate = {a, b, g, p};
            double e = mae(head, run(head, m, horizon, additive, candidate), m, end);
            if (e < best) {
              best = e;
              params = candidate;
            }
          }
        }
      }
    }
    return params;
  }

  static double[] forecast(double[] y, int m, int horizon, boolean additive, double[] params) {
    return run(y, m, horizon, additive, params);
  }

  /** Runs the recursions over {@code y}; f[t] is the forecast of y[t] from origin t − h. */
  private static double[] run(double[] y, int m, int h, boolean additive, double[] params) {
    double alpha = params[0];
    double beta = params[1];
    double gamma = params[2];
    double phi = params[3];
    double[] f = Baselines.nan(y.length);
    double[] s = new double[y.length];
    double level = 0;
    for (int i = 0; i < m; i++) {
      level += y[i];
    }
    level /= m;
    for (int i = 0; i < m; i++) {
      s[i] = additive ? y[i] - level : y[i] / Math.max(level, 1e-9);
    }
    double trend = 0;
    double damp = 0;
    for (int k = 1; k <= h; k++) {
      damp += Math.pow(phi, k);
    }
    int lagS = m * ((h + m - 1) / m);
    for (int t = m; t < y.length; t++) {
      double season = s[t - m];
      double prev = level;
      if (additive) {
        level = alpha * (y[t] - season) + (1 - alpha) * (prev + phi * trend);
        s[t] = gamma * (y[t] - level) + (1 - gamma) * season;
      } else {
        level = alpha * (y[t] / Math.max(season, 1e-9)) + (1 - alpha) * (prev + phi * trend);
        s[t] = gamma * (y[t] / Math.max(level, 1e-9)) + (1 - gamma) * season;
      }
      if (m == 1) {
        s[t] = additive ? 0 : 1;
      }
      trend = beta * (level - prev) + (1 - beta) * phi * trend;
      int target = t + h;
      if (target < y.length) {
        double base = level + damp * trend;
        double idx = s[target - lagS];
        f[target] = additive ? base + idx : base * idx;
      }
    }
    return f;
  }

  /** MAE of the available forecasts over {@code [from, to)}. */
  static double mae(double[] y, double[] f, int from, int to) {
    double sum = 0;
    int n = 0;
    for (int t = from; t < to; t++) {
      if (!Double.isNaN(f[t])) {
        sum += Math.abs(y[t] - f[t]);
        n++;
      }
    }
    return n == 0 ? Double.POSITIVE_INFINITY : sum / n;
  }
}
