package dev.sluice.ml.model;

import dev.sluice.ml.dataset.TimeSplit;
import dev.sluice.ml.registry.NewModel;

/**
 * A token regression a {@link TokenModelProvider} trained, with its scores and its registry entry.
 *
 * @param model the model, fitted on {@code split.train()}
 * @param split the per-client rows split by time
 * @param test the model's and the baseline's errors on {@code split.test()}
 * @param train the model's and the baseline's errors on {@code split.train()} (in sample)
 * @param artifact the metadata fields and model file writer for {@code ModelRegistry.register}
 */
public record TrainedTokenModel(TokenRegressor model, TimeSplit split, TokenEvaluation test, TokenEvaluation train,
    NewModel artifact) {}
