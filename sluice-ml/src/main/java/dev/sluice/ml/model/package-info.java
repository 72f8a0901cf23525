/**
 * Regression of the tokens a client needs in the next window (the dataset's {@code tokens_next}
 * target): {@link dev.sluice.ml.model.TokenRegression} trains a Tribuo linear model (SGD) or
 * XGBoost on the per-client rows of a dataset, split by time; {@link
 * dev.sluice.ml.model.TokenModel} predicts and reads/writes its artifact through {@code
 * dev.sluice.ml.registry}; {@link dev.sluice.ml.model.TokenEvaluation} scores a model against the
 * last-window baseline (next window = this window) by MAE and RMSE in tokens. {@link
 * dev.sluice.ml.model.TokenModels} knows every kind, those of {@link
 * dev.sluice.ml.model.TokenModelProvider} services included ({@code lstm} from {@code
 * sluice-ml-deep}), and loads any kind's artifact as a {@link dev.sluice.ml.model.TokenRegressor}.
 */
package dev.sluice.ml.model;
