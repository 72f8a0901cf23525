package dev.sluice.ml.forecast;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The forecasters by name, as {@code sluice forecast --model} takes them: the built-in ones, then
 * those of any {@link ForecasterProvider} on the class path. Stateless.
 */
public final class Forecasters {

  /** Every built-in name {@link #of} accepts, {@code auto} first; see {@link #names()} for all. */
  public static final List<String> NAMES = List.of("auto", "naive", "seasonal-naive", "ewma", "holt-winters", "xgboost");

  /** The EWMA smoothing factor of the baseline. */
  public static final double EWMA_ALPHA = 0.3;

  private Forecasters() {}

  /** Every name {@link #of} accepts: the built-in ones, then the providers' in class-path order. */
  public static List<String> names() {
    List<String> all = new ArrayList<>(NAMES);
    for (ForecasterProvider p : ServiceLoader.load(ForecasterProvider.class)) {
      all.addAll(p.names());
    }
    return List.copyOf(all);
  }

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
      default -> provided(name);
    };
  }

  private static Forecaster provided(String name) {
    for (ForecasterProvider p : ServiceLoader.load(ForecasterProvider.class)) {
      if (p.names().contains(name)) {
        return p.create(name);
      }
    }
    throw new IllegalArgumentException("model: " + name + " (expected: one of " + String.join(", ", names()) + ")");
  }
}
