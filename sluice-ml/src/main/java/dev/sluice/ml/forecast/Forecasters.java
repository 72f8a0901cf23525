package dev.sluice.ml.forecast;

import java.util.List;

/** The forecasters by name, as {@code sluice forecast --model} takes them. Stateless. */
public final class Forecasters {

  /** Every name {@link #of} accepts, {@code auto} first. */
  public static final List<String> NAMES = List.of("auto", "naive", "seasonal-naive", "ewma", "holt-winters", "xgboost");

  /** The EWMA smoothing factor of the baseline. */
  public static final double EWMA_ALPHA = 0.3;

  private Forecasters() {}

  /** The forecaster called {@code name}. */
  public static Forecaster of(String name) {
    return switch (name) {
      case "auto" -> new AutoForecaster(List.of("naive", "seasonal-naive", "ewma", "holt-winters", "xgboost"));
      case "naive" -> new Baselines.Naive();
      case "seasonal-naive" -> new Baselines.SeasonalNaive();
      case "ewma" -> new Baselines.Ewma(EWMA_ALPHA);
      case "holt-winters" -> new HoltWinters(HoltWinters.Variant.AUTO);
      case "holt-winters-additive" -> new HoltWinters(HoltWinters.Variant.ADDITIVE);
      case "holt-winters-multiplicative" -> new HoltWinters(HoltWinters.Variant.MULTIPLICATIVE);
      case "xgboost" -> XgboostForecaster.defaults();
      default -> throw new IllegalArgumentException("model: " + name + " (expected: one of " + String.join(", ", NAMES)
          + ")");
    };
  }
}
