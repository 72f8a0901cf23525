/**
 * Neural models on DJL and the PyTorch CPU engine: an LSTM forecaster over lag windows of a series,
 * registered with {@code dev.sluice.ml.forecast.Forecasters} as {@code lstm} through the
 * {@code ForecasterProvider} service, and a next-window token regression LSTM over a client's
 * recent feature rows ({@link dev.sluice.ml.deep.LstmTokenRegression}), registered with {@code
 * dev.sluice.ml.model.TokenModels} as {@code lstm} through the {@code TokenModelProvider} service. PyTorch's native libraries come from the
 * {@code pytorch-native-cpu} jar (pinned to DJL 0.35.1 / PyTorch 2.7.1, linux-x86_64); DJL runs
 * offline and never downloads anything.
 */
package dev.sluice.ml.deep;
