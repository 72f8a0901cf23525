package dev.sluice.ml.forecast;

import dev.sluice.ml.data.Series;
import java.util.List;

/**
 * Picks the forecaster with the lowest MAE in a rolling-origin backtest inside the training part
 * (fitted on its first 80 %, scored on the rest), then forecasts with it fitted on the whole
 * training part. The test part plays no part in the choice. A candidate that cannot run on the
 * series (too short for a season) is left out. Immutable; {@link #predict} is not thread-safe
 * because it remembers the last choice for {@link #chosen()}.
 */
final class AutoForecaster implements Forecaster {

  private final List<String> candidates;
  private String chosen = "";

  AutoForecaster(List<String> candidates) {
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("candidates: [] (expected: at least one)");
    }
    this.candidates = List.copyOf(candidates);
  }

  @Override
  public String name() {
    return chosen.isEmpty() ? "auto" : "auto(" + chosen + ")";
  }

  /** The model the last {@link #predict} chose, or the empty string. */
  String chosen() {
    return chosen;
  }

  @Override
  public double[] predict(Series series, int trainEnd, int horizon) {
    Forecaster.check(series, trainEnd, horizon);
    double[] y = series.values();
    int inner = (int) (trainEnd * 0.8);
    Series head = new Series(series.name(), series.startEpochSecond(), series.stepSeconds(),
        java.util.Arrays.copyOf(y, trainEnd));
    String best = null;
    double bestMae = Double.POSITIVE_INFINITY;
    for (String c : candidates) {
      double mae;
      try {
        mae = HoltWinters.mae(y, Forecasters.of(c).predict(head, inner, horizon), inner, trainEnd);
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (mae < bestMae) {
        bestMae = mae;
        best = c;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("auto: no forecaster can run on " + series.name() + " (" + trainEnd
          + " training windows)");
    }
    chosen = best;
    return Forecasters.of(best).predict(series, trainEnd, horizon);
  }
}
