package dev.sluice.ml.forecast;

import dev.sluice.ml.data.Series;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.xgboost.XGBoostRegressionTrainer;

/**
 * Gradient-boosted trees (XGBoost through Tribuo) on lags and calendar features. Immutable; each
 * {@link #predict} trains a model of its own on the training part (one thread, a fixed seed, so the
 * same input gives the same forecasts).
 *
 * <p>The model works on a signed {@code log1p} scale, relative to the origin's value: for the
 * forecast of {@code y[t]} from origin {@code o = t − h} the features are the last {@link #LAGS}
 * values {@code y[o], …, y[o−LAGS+1]}, three EWMAs at the origin (α = 0.6, 0.3, 0.1), the value
 * one day before the target and its two neighbours (when a day is more than {@code h} windows),
 * the value one week before (each as {@code log1p(value) − log1p(y[o])}), the level {@code
 * log1p(y[o])}, and the target window's time of day and day of week as sine/cosine pairs (UTC).
 * The target is {@code log1p(y[t]) − log1p(y[o])}. Learning ratios rather than differences keeps
 * trees (which cannot extrapolate) usable when the level leaves the training range, and the log
 * damps the pull of rare spikes (measured in docs/learning.md).
 */
record XgboostForecaster(int trees, int depth, double eta, long seed) implements Forecaster {

  /** How many recent values are features. */
  static final int LAGS = 12;

  XgboostForecaster {
    if (trees < 1) {
      throw new IllegalArgumentException("trees: " + trees + " (expected: >= 1)");
    }
    if (depth < 1) {
      throw new IllegalArgumentException("depth: " + depth + " (expected: >= 1)");
    }
    if (!(eta > 0 && eta <= 1)) {
      throw new IllegalArgumentException("eta: " + eta + " (expected: 0 < eta <= 1)");
    }
  }

  /** The settings {@code sluice forecast --model xgboost} uses. */
  static XgboostForecaster defaults() {
    return new XgboostForecaster(300, 5, 0.05, 1);
  }

  @Override
  public String name() {
    return "xgboost";
  }

  @Override
  public double[] predict(Series series, int trainEnd, int horizon) {
    Forecaster.check(series, trainEnd, horizon);
    double[] y = series.values();
    int day = Forecaster.dailyPeriod(series);
    int useDay = day >= horizon + 1 && day + 1 < trainEnd / 2 ? day : 0;
    int week = useDay > 0 && 7 * day + 1 < trainEnd / 2 ? 7 * day : 0;
    String[] names = featureNames(useDay > 0, week > 0);
    int first = Math.max(LAGS - 1 + horizon, Math.max(useDay > 0 ? useDay + 1 : 0, week));
    if (first >= trainEnd - 10) {
      throw new IllegalArgumentException("xgboost: the training part holds " + trainEnd + " windows (expected: more"
          + " than " + (first + 10) + " for " + LAGS + " lags and horizon " + horizon + ")");
    }
    double[][] ewma = {ewma(y, 0.6), ewma(y, 0.3), ewma(y, 0.1)};
    RegressionFactory factory = new RegressionFactory();
    MutableDataset<Regressor> data = new MutableDataset<>(new SimpleDataSourceProvenance("train", factory), factory);
    for (int t = first; t < trainEnd; t++) {
      data.add(example(series, y, t, horizon, useDay, week, names, ewma, target(y, t, horizon)));
    }
    XGBoostRegressionTrainer trainer = new XGBoostRegressionTrainer(XGBoostRegressionTrainer.RegressionType.LINEAR,
        trees, eta, 0, depth, 1, 0.8, 0.8, 1, 0, 1, true, seed);
    Model<Regressor> model = trainer.train(data);
    double[] f = Baselines.nan(y.length);
    List<Example<Regressor>> batch = new ArrayList<>();
    for (int t = first; t < y.length; t++) {
      batch.add(example(series, y, t, horizon, useDay, week, names, ewma, 0));
    }
    var predictions = model.predict(batch);
    for (int i = 0; i < predictions.size(); i++) {
      int t = first + i;
      f[t] = back(y, t, horizon, predictions.get(i).getOutput().getValues()[0]);
    }
    return f;
  }

  private static String[] featureNames(boolean day, boolean week) {
    List<String> n = new ArrayList<>();
    for (int k = 0; k < LAGS; k++) {
      n.add(String.format("lag%02d", k));
    }
    n.add("log_level");
    n.add("ewma_fast");
    n.add("ewma_mid");
    n.add("ewma_slow");
    if (day) {
      n.add("day_before_m1");
      n.add("day_before");
      n.add("day_before_p1");
    }
    if (week) {
      n.add("week_before");
    }
    n.add("hour_sin");
    n.add("hour_cos");
    n.add("dow_sin");
    n.add("dow_cos");
    return n.toArray(String[]::new);
  }

  private static Example<Regressor> example(Series s, double[] y, int t, int h, int day, int week, String[] names,
      double[][] ewma, double target) {
    double[] v = new double[names.length];
    int o = t - h;
    int i = 0;
    double base = log(y[o]);
    for (int k = 0; k < LAGS; k++) {
      v[i++] = log(y[o - k]) - base;
    }
    v[i++] = base;
    v[i++] = log(ewma[0][o]) - base;
    v[i++] = log(ewma[1][o]) - base;
    v[i++] = log(ewma[2][o]) - base;
    if (day > 0) {
      v[i++] = log(y[t - day - 1]) - base;
      v[i++] = log(y[t - day]) - base;
      v[i++] = log(y[t - day + 1]) - base;
    }
    if (week > 0) {
      v[i++] = log(y[t - week]) - base;
    }
    ZonedDateTime when = Instant.ofEpochSecond(s.epochSecond(t)).atZone(ZoneOffset.UTC);
    double hour = (when.getHour() * 3600 + when.getMinute() * 60 + when.getSecond()) / 86_400.0;
    double dow = (when.getDayOfWeek().getValue() - 1 + hour) / 7.0;
    v[i++] = Math.sin(2 * Math.PI * hour);
    v[i++] = Math.cos(2 * Math.PI * hour);
    v[i++] = Math.sin(2 * Math.PI * dow);
    v[i] = Math.cos(2 * Math.PI * dow);
    return new ArrayExample<>(new Regressor("delta", target), names, v);
  }

  private static double target(double[] y, int t, int h) {
    return log(y[t]) - log(y[t - h]);
  }

  private static double back(double[] y, int t, int h, double p) {
    double u = log(y[t - h]) + p;
    return Math.signum(u) * Math.expm1(Math.abs(u));
  }

  /** A signed log1p: the scale the model works on, so that it learns ratios rather than differences. */
  private static double log(double v) {
    return Math.signum(v) * Math.log1p(Math.abs(v));
  }

  private static double[] ewma(double[] y, double alpha) {
    double[] e = new double[y.length];
    for (int t = 0; t < y.length; t++) {
      e[t] = t == 0 ? y[0] : alpha * y[t] + (1 - alpha) * e[t - 1];
    }
    return e;
  }
}
