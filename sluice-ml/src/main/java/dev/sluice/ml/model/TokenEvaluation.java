package dev.sluice.ml.model;

import dev.sluice.ml.dataset.DatasetSchema;
import dev.sluice.ml.dataset.FeatureRow;
import java.util.List;

/**
 * A model's errors on some rows next to the last-window baseline's on the same rows (the baseline
 * predicts that a client needs as many tokens next window as in this one).
 *
 * @param model the model's errors
 * @param baseline the last-window baseline's errors
 */
public record TokenEvaluation(RegressionMetrics model, RegressionMetrics baseline) {

  /** Scores {@code model} and the baseline on {@code rows} (which carry the {@code tokens_next} target). */
  public static TokenEvaluation of(TokenRegressor model, List<FeatureRow> rows, DatasetSchema schema) {
    return of(model.predict(rows), rows, schema);
  }

  /** Scores {@code predicted} (one value per row of {@code rows}) and the baseline on {@code rows}. */
  public static TokenEvaluation of(double[] predicted, List<FeatureRow> rows, DatasetSchema schema) {
    double[] actual = actual(rows, schema);
    return new TokenEvaluation(RegressionMetrics.of(actual, predicted),
        RegressionMetrics.of(actual, lastWindow(rows, schema)));
  }

  /** The {@code tokens_next} column of {@code rows}. */
  public static double[] actual(List<FeatureRow> rows, DatasetSchema schema) {
    return column(rows, schema.index(TokenRegression.TARGET));
  }

  /** The last-window baseline's predictions: the {@code tokens} column of {@code rows}. */
  public static double[] lastWindow(List<FeatureRow> rows, DatasetSchema schema) {
    return column(rows, schema.index(TokenRegression.OFFSET));
  }

  private static double[] column(List<FeatureRow> rows, int index) {
    double[] a = new double[rows.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = rows.get(i).values()[index];
    }
    return a;
  }
}
