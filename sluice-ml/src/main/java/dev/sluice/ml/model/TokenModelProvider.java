package dev.sluice.ml.model;

import dev.sluice.ml.dataset.DatasetSchema;
import dev.sluice.ml.dataset.FeatureRow;
import dev.sluice.ml.dataset.TimeSplit;
import dev.sluice.ml.registry.LoadedArtifact;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * A service ({@link java.util.ServiceLoader}) that adds token regression families {@link
 * RegressionKind} does not know, so a module on the class path trains and loads them without
 * {@code sluice-ml} depending on it ({@code sluice-ml-deep} adds {@code lstm}). Implementations are
 * stateless, have a public no-argument constructor and are listed in {@code
 * META-INF/services/dev.sluice.ml.model.TokenModelProvider}; {@link TokenModels} finds them.
 */
public interface TokenModelProvider {

  /** The kinds this provider trains and loads, as {@code sluice train --model} and {@code metadata.json} name them. */
  List<String> kinds();

  /**
   * Trains a {@code kind} model on {@code split}'s training rows and scores it on both parts.
   *
   * @param clientRows every per-client row of the dataset in its order (groups contiguous, each in
   *     time order); a model may read the features of rows before a row as its history, never a
   *     target other than the training rows'
   * @param progress receives a short message after each unit of work (for a progress bar)
   * @throws IllegalArgumentException when the training part is too small for the model
   */
  TrainedTokenModel train(String kind, List<FeatureRow> clientRows, TimeSplit split, DatasetSchema schema,
      Consumer<String> progress);

  /**
   * Reads the model of a verified artifact of one of {@link #kinds()} for rows of {@code schema}.
   *
   * @throws IOException when the model file or the metadata is not what this kind writes
   */
  TokenRegressor load(LoadedArtifact artifact, DatasetSchema schema) throws IOException;
}
