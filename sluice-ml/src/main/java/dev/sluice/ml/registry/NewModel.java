package dev.sluice.ml.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a trainer hands to {@link ModelRegistry#register}: everything {@code metadata.json} records
 * except what the registry assigns (the version, the creation time and the model file's checksum),
 * and how to write the model file.
 *
 * @param kind the model family ({@code linear}, {@code xgboost}, or a forecaster's name)
 * @param target the column the model predicts (e.g. {@code tokens_next})
 * @param featureSchemaHash the {@code DatasetSchema} hash of the features it was trained on
 * @param windowSeconds the dataset's window length
 * @param features the feature names the model reads, in order
 * @param trainedFrom the first training row's window start
 * @param trainedTo the last training row's window start
 * @param trainingRows how many rows trained it
 * @param metrics evaluation figures by name (insertion order is kept in the file)
 * @param parameters model settings a loader needs or a reader wants to see, by name
 * @param libraries library versions by name ({@link Libraries#current()})
 * @param modelFileName the model file's name inside the artifact directory
 * @param writer writes the model file
 */
public record NewModel(String kind, String target, String featureSchemaHash, int windowSeconds, List<String> features,
    Instant trainedFrom, Instant trainedTo, long trainingRows, Map<String, Double> metrics,
    Map<String, String> parameters, Map<String, String> libraries, String modelFileName, ModelFileWriter writer) {

  /** Validates the names and copies the collections. */
  public NewModel {
    ModelMetadata.check(kind, target, featureSchemaHash, windowSeconds, features, trainedFrom, trainedTo, trainingRows,
        modelFileName);
    features = List.copyOf(features);
    metrics = ModelMetadata.ordered(metrics);
    parameters = ModelMetadata.ordered(parameters);
    libraries = ModelMetadata.ordered(libraries);
    if (writer == null) {
      throw new IllegalArgumentException("writer: null (expected: a model file writer)");
    }
  }

  /** Writes a model file to a path the registry chooses. */
  @FunctionalInterface
  public interface ModelFileWriter {
    /** Writes the model to {@code file} (which does not exist yet). */
    void write(java.nio.file.Path file) throws java.io.IOException;
  }
}
