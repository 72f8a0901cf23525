/**
 * Forecasters of next-horizon request counts and their evaluation: naive, seasonal naive (daily),
 * EWMA, Holt-Winters with daily seasonality (additive or multiplicative, damped trend), XGBoost on
 * lags and calendar features (Tribuo), and {@code auto}, which picks one by a backtest inside the
 * training part. {@link dev.sluice.ml.forecast.Backtest} runs a rolling-origin evaluation on a
 * held-out tail with 90 % conformal prediction intervals and reports MAE, MAPE, sMAPE, MASE and
 * coverage ({@link dev.sluice.ml.forecast.Metrics}).
 */
package dev.sluice.ml.forecast;
