package dev.sluice.ml.deep;

import dev.sluice.ml.dataset.DatasetSchema;
import dev.sluice.ml.dataset.FeatureRow;
import dev.sluice.ml.dataset.TimeSplit;
import dev.sluice.ml.model.TokenModelProvider;
import dev.sluice.ml.model.TokenRegression;
import dev.sluice.ml.model.TokenRegressor;
import dev.sluice.ml.model.TrainedTokenModel;
import dev.sluice.ml.registry.LoadedArtifact;
import dev.sluice.ml.registry.ModelMetadata;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Adds the token regression LSTM ({@code lstm}) to {@code dev.sluice.ml.model.TokenModels}, so
 * {@code sluice train --model lstm} trains it and {@code sluice evaluate} loads its artifacts (a
 * {@link java.util.ServiceLoader} provider). Stateless.
 */
public final class DeepTokenModels implements TokenModelProvider {

  /** For the service loader. */
  public DeepTokenModels() {}

  @Override
  public List<String> kinds() {
    return List.of(LstmTokenModel.KIND);
  }

  @Override
  public TrainedTokenModel train(String kind, List<FeatureRow> clientRows, TimeSplit split, DatasetSchema schema,
      Consumer<String> progress) {
    check(kind);
    return LstmTokenRegression.defaults().train(clientRows, split, schema, progress);
  }

  @Override
  public TokenRegressor load(LoadedArtifact artifact, DatasetSchema schema) throws IOException {
    ModelMetadata m = artifact.metadata();
    check(m.kind());
    if (!m.target().equals(TokenRegression.TARGET)
        || !TokenRegression.OFFSET.equals(m.parameters().get("target_offset"))) {
      throw new IOException("model " + m.version() + ": not a token regression: target " + m.target() + " relative to "
          + m.parameters().get("target_offset") + " (expected: " + TokenRegression.TARGET + " relative to "
          + TokenRegression.OFFSET + ")");
    }
    LstmTokenModel model = LstmTokenModel.read(artifact.modelFile(), schema);
    if (!model.features().equals(m.features())) {
      throw new IOException("model " + m.version() + ": the model file reads " + model.features()
          + " but the metadata lists " + m.features());
    }
    return model;
  }

  private void check(String kind) {
    if (!kinds().contains(kind)) {
      throw new IllegalArgumentException("model: " + kind + " (expected: one of " + String.join(", ", kinds()) + ")");
    }
  }
}
