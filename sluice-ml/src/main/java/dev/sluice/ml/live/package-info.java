/**
 * What the learning work needs while the server runs: the drift of live features against their
 * training (or first-seen) distribution ({@link dev.sluice.ml.live.FeatureDrift}). The online
 * forecasters the {@code predictive} controller runs are {@link
 * dev.sluice.ml.forecast.OnlineForecasters}.
 */
package dev.sluice.ml.live;
