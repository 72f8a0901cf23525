package dev.sluice.ml.deep;

import dev.sluice.ml.data.Series;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * The LSTM's inputs and targets for one series, one horizon and one training part. Immutable.
 *
 * <p>Values go to a signed {@code log1p} scale and are standardised with the mean and standard
 * deviation of the training part only: {@code z[i] = (log1p(y[i]) − μ) / σ}. The forecast of
 * {@code y[t]} from origin {@code o = t − h} reads the sequence of steps {@code s = o − lags + 1 …
 * o}; step {@code s} carries {@code z[s]}, the value one day before {@code s + h} ({@code z[s + h −
 * day]}, when a day is more than {@code h} windows and the training part holds more than three
 * days) and, with {@code calendar}, the time of day of {@code s + h} as a sine/cosine pair (UTC),
 * plus its day of week when the training part spans four weeks (fewer weeks are memorised, not
 * learnt). So the last step carries its target's value a day earlier and the target's own
 * calendar; everything read is at or before the origin, except the calendar, which is known in
 * advance. The target is {@code z[t] − z[o]}: the model learns the change from the origin.
 */
final class LstmWindows {

  /** The day of week is a feature only when the training part spans this long (four weeks). */
  static final long WEEK_MIN_TRAINING_SECONDS = 28 * 86_400L;

  private final Series series;
  private final int horizon;
  private final int lags;
  private final int day;
  private final boolean calendar;
  private final boolean week;
  private final double mean;
  private final double std;
  private final float[] z;

  LstmWindows(Series series, int trainEnd, int horizon, int lags, boolean calendar) {
    this.series = series;
    this.horizon = horizon;
    this.lags = lags;
    this.calendar = calendar;
    this.week = calendar && trainEnd * series.stepSeconds() >= WEEK_MIN_TRAINING_SECONDS;
    int period = dev.sluice.ml.forecast.Forecaster.dailyPeriod(series);
    this.day = period > horizon && 3 * period < trainEnd ? period : 0;
    double[] y = series.values();
    double sum = 0;
    for (int i = 0; i < trainEnd; i++) {
      sum += log(y[i]);
    }
    double m = sum / trainEnd;
    double ss = 0;
    for (int i = 0; i < trainEnd; i++) {
      ss += (log(y[i]) - m) * (log(y[i]) - m);
    }
    this.mean = m;
    this.std = Math.max(1e-6, Math.sqrt(ss / trainEnd));
    this.z = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      z[i] = (float) ((log(y[i]) - mean) / std);
    }
  }

  /** Values per step of a sequence. */
  int features() {
    return 1 + (day > 0 ? 1 : 0) + (calendar ? 2 : 0) + (week ? 2 : 0);
  }

  /** The first target window with a full sequence before its origin. */
  int first() {
    return Math.max(lags - 1 + horizon, day > 0 ? lags - 1 + day : 0);
  }

  /** Writes the sequence for target {@code t} into {@code out} at {@code offset} (lags × features). */
  void input(int t, float[] out, int offset) {
    int o = t - horizon;
    int k = offset;
    for (int s = o - lags + 1; s <= o; s++) {
      out[k++] = z[s];
      if (day > 0) {
        out[k++] = z[s + horizon - day];
      }
      if (calendar) {
        ZonedDateTime when = Instant.ofEpochSecond(series.epochSecond(s + horizon)).atZone(ZoneOffset.UTC);
        double hour = (when.getHour() * 3600 + when.getMinute() * 60 + when.getSecond()) / 86_400.0;
        out[k++] = (float) Math.sin(2 * Math.PI * hour);
        out[k++] = (float) Math.cos(2 * Math.PI * hour);
        if (week) {
          double dow = (when.getDayOfWeek().getValue() - 1 + hour) / 7.0;
          out[k++] = (float) Math.sin(2 * Math.PI * dow);
          out[k++] = (float) Math.cos(2 * Math.PI * dow);
        }
      }
    }
  }

  /** The training target for window {@code t}: {@code z[t] − z[t − h]}. */
  float target(int t) {
    return z[t] - z[t - horizon];
  }

  /** The forecast of {@code y[t]} back on the series' scale from the model's output {@code p}. */
  double value(int t, float p) {
    double v = (z[t - horizon] + p) * std + mean;
    return Math.signum(v) * Math.expm1(Math.abs(v));
  }

  /** A signed log1p. */
  private static double log(double v) {
    return Math.signum(v) * Math.log1p(Math.abs(v));
  }
}
