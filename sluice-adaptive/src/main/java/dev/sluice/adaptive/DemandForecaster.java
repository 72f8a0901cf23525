package dev.sluice.adaptive;

/**
 * A model that forecasts the next window's demand from the demand seen so far; the {@link
 * PredictiveController} runs one each interval. Implementations live where the models do (an
 * online Holt or EWMA forecaster, or a registry model, in sluice-ml) and must be safe to call from
 * the control loop's thread; they may keep state between calls (a refit schedule), but a forecast
 * reads nothing but the history it is given.
 */
public interface DemandForecaster {

  /**
   * Returns the forecast of the window after the last one of {@code history}.
   *
   * @param history demand per window, oldest first, in tokens per second; the last value is the
   *     window that just closed
   * @param stepSeconds the length of one window in seconds
   * @throws RuntimeException on any failure; the controller then falls back
   */
  Forecast forecast(double[] history, double stepSeconds);

  /** Returns the version of the model in use, e.g. {@code online:holt} or a registry version. */
  String version();

  /**
   * One forecast, tokens per second.
   *
   * @param point the point forecast
   * @param upper the upper bound of the central 90 % interval, at least {@code point}; {@code NaN}
   *     when the model has too little history to size an interval
   */
  record Forecast(double point, double upper) {}
}
