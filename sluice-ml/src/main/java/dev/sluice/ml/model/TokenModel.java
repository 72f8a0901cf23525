package dev.sluice.ml.model;

import dev.sluice.ml.dataset.DatasetSchema;
import dev.sluice.ml.dataset.FeatureRow;
import dev.sluice.ml.registry.LoadedArtifact;
import dev.sluice.ml.registry.ModelMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.impl.ArrayExample;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;

/**
 * A trained next-window token regression: a Tribuo model plus how its output maps back to tokens.
 * Immutable; Tribuo models predict from any number of threads.
 *
 * <p>The Tribuo model predicts {@code (tokens_next − tokens) / scale}: the change from this
 * window's tokens (the last-window baseline), divided by the spread of that change in the training
 * rows so that SGD works on a target of unit size. {@link #predict} undoes both and cuts at 0. A
 * feature that is NaN in a row (no latency measured, no decision made) is left out of its example:
 * XGBoost treats it as missing, the linear model as the training mean.
 */
public final class TokenModel implements TokenRegressor {

  /** The model file's name inside an artifact (Tribuo's protobuf format). */
  public static final String FILE_NAME = "model.tribuo";

  private final RegressionKind kind;
  private final Model<Regressor> model;
  private final List<String> features;
  private final DatasetSchema schema;
  private final int[] index;
  private final int offset;
  private final double scale;

  TokenModel(RegressionKind kind, Model<Regressor> model, List<String> features, DatasetSchema schema, double scale) {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale: " + scale + " (expected: > 0)");
    }
    this.kind = kind;
    this.model = model;
    this.features = List.copyOf(features);
    this.schema = schema;
    this.index = this.features.stream().mapToInt(schema::index).toArray();
    this.offset = schema.index(TokenRegression.OFFSET);
    this.scale = scale;
  }

  /**
   * Reads the model of a verified artifact for rows of {@code schema} (the schema whose hash was
   * passed to {@code ModelRegistry.load}).
   *
   * @throws IOException when the model file cannot be read as a Tribuo regression model, or the
   *     metadata lacks what a token model needs
   */
  public static TokenModel load(LoadedArtifact artifact, DatasetSchema schema) throws IOException {
    ModelMetadata m = artifact.metadata();
    RegressionKind kind;
    double scale;
    try {
      kind = RegressionKind.of(m.kind());
      if (!m.target().equals(TokenRegression.TARGET) || !m.parameter("target_offset").equals(TokenRegression.OFFSET)) {
        throw new IllegalArgumentException("target: " + m.target() + " relative to " + m.parameter("target_offset")
            + " (expected: " + TokenRegression.TARGET + " relative to " + TokenRegression.OFFSET + ")");
      }
      scale = Double.parseDouble(m.parameter("target_scale"));
    } catch (IllegalArgumentException e) {
      throw new IOException("model " + m.version() + ": not a token regression: " + e.getMessage(), e);
    }
    Model<?> raw = Model.deserializeFromFile(artifact.modelFile());
    if (!raw.validate(Regressor.class)) {
      throw new IOException("model " + m.version() + ": " + artifact.modelFile() + " is not a regression model");
    }
    @SuppressWarnings("unchecked")
    Model<Regressor> model = (Model<Regressor>) raw;
    return new TokenModel(kind, model, m.features(), schema, scale);
  }

  /** Writes the Tribuo model to {@code file} in Tribuo's protobuf format. */
  public void save(Path file) throws IOException {
    model.serializeToFile(file);
  }

  /** The model family. */
  public RegressionKind kind() {
    return kind;
  }

  @Override
  public String label() {
    return kind.label();
  }

  /** The feature names the model reads, in order. */
  @Override
  public List<String> features() {
    return features;
  }

  /** The divisor of the model's target (see the class comment). */
  public double scale() {
    return scale;
  }

  /** The predicted tokens of the window after each row's window (≥ 0); each row is read on its own. */
  @Override
  public double[] predict(List<FeatureRow> rows) {
    if (rows.isEmpty()) {
      return new double[0];
    }
    List<Example<Regressor>> batch = new ArrayList<>(rows.size());
    double[] base = new double[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      double[] v = rows.get(i).values();
      batch.add(example(v, Double.NaN));
      base[i] = v[offset];
    }
    List<Prediction<Regressor>> p = model.predict(batch);
    double[] out = new double[rows.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.max(0, base[i] + scale * p.get(i).getOutput().getValues()[0]);
    }
    return out;
  }

  /** The predicted tokens of the window after {@code row}'s window (≥ 0). */
  public double predict(FeatureRow row) {
    return predict(List.of(row))[0];
  }

  /** An example of the row's present (non-NaN) features, with {@code target} as output (NaN: unknown). */
  Example<Regressor> example(double[] values, double target) {
    List<String> names = new ArrayList<>(index.length);
    double[] v = new double[index.length];
    int n = 0;
    for (int i = 0; i < index.length; i++) {
      double x = values[index[i]];
      if (!Double.isNaN(x)) {
        names.add(features.get(i));
        v[n++] = x;
      }
    }
    Regressor out = Double.isNaN(target) ? RegressionFactory.UNKNOWN_REGRESSOR : new Regressor(TokenRegression.TARGET, target);
    return new ArrayExample<>(out, names.toArray(String[]::new), java.util.Arrays.copyOf(v, n));
  }

  /** The model's target for a row: the scaled change from this window's tokens. */
  double encode(double[] values) {
    return (values[schema.index(TokenRegression.TARGET)] - values[offset]) / scale;
  }

  Model<Regressor> tribuoModel() {
    return model;
  }

  DatasetSchema schema() {
    return schema;
  }
}
