package dev.sluice.ml.forecast;

import dev.sluice.ml.data.Series;

/**
 * A point forecaster evaluated from rolling origins. Implementations are stateless between calls.
 *
 * <p>{@link #predict} fits whatever the model has to fit on the training part only, then returns
 * for every window {@code t} the forecast of {@code y[t]} made at origin {@code t - horizon}, that
 * is from {@code y[0..t-horizon]} alone, with the fitted parameters fixed. No forecast ever reads
 * a value at or after its target window, and no parameter is fitted on the test part.
 */
public interface Forecaster {

  /** The name used on the command line and in tables. */
  String name();

  /**
   * Returns one forecast per window of {@code series} (NaN where there is too little history).
   *
   * @param trainEnd the first window of the test part: parameters are fitted on windows before it
   * @param horizon how many windows ahead each forecast is made, >= 1
   */
  double[] predict(Series series, int trainEnd, int horizon);

  /** The windows in a day for this series' step, or 0 when a day is not a whole number of steps. */
  static int dailyPeriod(Series series) {
    return 86_400 % series.stepSeconds() == 0 ? (int) (86_400 / series.stepSeconds()) : 0;
  }

  /** Validates the common arguments of {@link #predict}. */
  static void check(Series series, int trainEnd, int horizon) {
    if (horizon < 1) {
      throw new IllegalArgumentException("horizon: " + horizon + " (expected: >= 1)");
    }
    if (trainEnd < 2 || trainEnd > series.size()) {
      throw new IllegalArgumentException("trainEnd: " + trainEnd + " (expected: 2.." + series.size() + ")");
    }
  }
}
