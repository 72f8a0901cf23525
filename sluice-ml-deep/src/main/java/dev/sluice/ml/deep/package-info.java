/**
 * Neural forecasters on DJL and the PyTorch CPU engine: an LSTM over lag windows of the series,
 * registered with {@code dev.sluice.ml.forecast.Forecasters} as {@code lstm} through the
 * {@code ForecasterProvider} service. PyTorch's native libraries come from the
 * {@code pytorch-native-cpu} jar (pinned to DJL 0.35.1 / PyTorch 2.7.1, linux-x86_64); DJL runs
 * offline and never downloads anything.
 */
package dev.sluice.ml.deep;
