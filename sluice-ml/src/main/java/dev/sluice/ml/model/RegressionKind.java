package dev.sluice.ml.model;

import java.util.Arrays;
import java.util.Locale;

/** The regression model families {@link TokenRegression} trains. */
public enum RegressionKind {
  /** A linear model fitted by SGD (squared loss, AdaGrad) on standardised features. */
  LINEAR,
  /** Gradient-boosted trees (XGBoost). */
  XGBOOST;

  /** The name used on the command line and in {@code metadata.json}'s {@code kind}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind named {@code label}. */
  public static RegressionKind of(String label) {
    for (RegressionKind k : values()) {
      if (k.label().equals(label)) {
        return k;
      }
    }
    throw new IllegalArgumentException("model: " + label + " (expected: one of "
        + Arrays.stream(values()).map(RegressionKind::label).toList() + ")");
  }
}
