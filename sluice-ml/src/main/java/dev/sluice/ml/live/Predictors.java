package dev.sluice.ml.live;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.adaptive.DemandForecaster;
import dev.sluice.adaptive.PredictiveController;
import dev.sluice.adaptive.PredictiveSettings;
import dev.sluice.ml.forecast.OnlineForecasters;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Builds the {@code predictive} controller the server and the simulator run, one path for both:
 * the online forecaster its settings name, or the registry's active model; stateless.
 */
public final class Predictors {

  private Predictors() {}

  /**
   * Returns the factory {@link AdaptiveSettings#enabledControllers(AdaptiveSettings.PredictiveFactory)}
   * takes.
   *
   * @param ticker the clock the inference budget is measured on (the loop's)
   * @param activeModel the registry's active model for {@code forecaster: model}; it may return
   *     {@code null} (no model active: every run falls back)
   */
  public static AdaptiveSettings.PredictiveFactory factory(LongSupplier ticker, Supplier<DemandForecaster> activeModel) {
    return settings -> new PredictiveController(settings, forecaster(settings, activeModel), ticker);
  }

  /** Returns the forecaster {@code settings} name: an online one, or the active model (may be null). */
  public static DemandForecaster forecaster(PredictiveSettings settings, Supplier<DemandForecaster> activeModel) {
    return settings.forecaster().equals("model") ? activeModel == null ? null : activeModel.get()
        : OnlineForecasters.of(settings.forecaster());
  }
}
