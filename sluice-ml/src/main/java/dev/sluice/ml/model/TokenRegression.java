package dev.sluice.ml.model;

import dev.sluice.ml.dataset.DatasetSchema;
import dev.sluice.ml.dataset.FeatureRow;
import dev.sluice.ml.dataset.TimeSplit;
import dev.sluice.ml.registry.Libraries;
import dev.sluice.ml.registry.NewModel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.linear.LinearSGDTrainer;
import org.tribuo.regression.sgd.objectives.SquaredLoss;
import org.tribuo.regression.xgboost.XGBoostRegressionTrainer;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.MeanStdDevTransformation;

/**
 * Trains next-window token regressions on the per-client rows of a dataset. Stateless; every run
 * is deterministic (fixed seeds, one XGBoost thread).
 *
 * <p>Steps: keep the {@code client:*} rows; split them by time with {@link TimeSplit} (the first
 * {@code trainFraction} of the windows train, the rest test, the rows whose target reads a test
 * window are left out); drop features that take fewer than two distinct values in the training
 * rows (they carry nothing, and would divide by a zero spread when standardised); fit; score model
 * and last-window baseline on the test rows. The artifact's model is the one fitted on the training
 * part, so its recorded metrics are out-of-sample.
 *
 * <p>Settings: linear — Tribuo {@code LinearSGDTrainer}, squared loss, AdaGrad (η 0.1), 10 epochs,
 * seed 1, inside a {@code TransformTrainer} that standardises every feature (mean 0, variance 1);
 * xgboost — 100 trees, depth 3, η 0.1, minimum child weight 20 (per-client counts are noisy: deeper,
 * less regularised trees fit the noise), subsample 0.8 of rows and features, one thread, seed 1.
 */
public final class TokenRegression {

  /** The target column. */
  public static final String TARGET = "tokens_next";
  /** The column the target is learnt relative to (the last-window baseline). */
  public static final String OFFSET = "tokens";
  /** The group prefix of the rows a token regression trains on. */
  public static final String CLIENT_PREFIX = "client:";
  /** The seed of every trainer. */
  public static final long SEED = 1;

  /** Tribuo logs every SGD epoch through java.util.logging; kept here so the level sticks. */
  private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

  static {
    TRIBUO_LOG.setLevel(Level.WARNING);
  }

  private TokenRegression() {}

  /**
   * One trained model with its split and scores.
   *
   * @param model the model, fitted on {@code split.train()}
   * @param split the per-client rows split by time
   * @param test the model's and the baseline's errors on {@code split.test()}
   * @param train the model's and the baseline's errors on {@code split.train()} (in sample)
   */
  public record Result(TokenModel model, TimeSplit split, TokenEvaluation test, TokenEvaluation train) {

    /** The registry entry for this model: metadata fields and a writer of its model file. */
    public NewModel toNewModel() {
      List<FeatureRow> tr = split.train();
      long first = tr.stream().mapToLong(FeatureRow::windowStart).min().orElseThrow();
      long last = tr.stream().mapToLong(FeatureRow::windowStart).max().orElseThrow();
      Map<String, Double> metrics = metrics(test, train);
      Map<String, String> parameters = parameters(model.scale(), split);
      parameters.put("seed", Long.toString(SEED));
      parameters.put("trainer", settings(model.kind()));
      DatasetSchema schema = model.schema();
      return new NewModel(model.kind().label(), TARGET, schema.hash(), schema.windowSeconds(), model.features(),
          Instant.ofEpochSecond(first), Instant.ofEpochSecond(last), tr.size(), metrics, parameters,
          Libraries.current(), TokenModel.FILE_NAME, model::save);
    }
  }

  /** The metrics every token model's metadata records: its and the baseline's test errors, test rows, training MAE. */
  public static Map<String, Double> metrics(TokenEvaluation test, TokenEvaluation train) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("mae", test.model().mae());
    metrics.put("rmse", test.model().rmse());
    metrics.put("baseline_mae", test.baseline().mae());
    metrics.put("baseline_rmse", test.baseline().rmse());
    metrics.put("test_rows", (double) test.model().rows());
    metrics.put("train_mae", train.model().mae());
    return metrics;
  }

  /** The parameters every token model's metadata starts with: the target's offset and {@code scale}, the rows, the cut. */
  public static Map<String, String> parameters(double scale, TimeSplit split) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("target_offset", OFFSET);
    parameters.put("target_scale", Double.toString(scale));
    parameters.put("rows", "client");
    parameters.put("split_cut", Instant.ofEpochSecond(split.cut()).toString());
    return parameters;
  }

  /** The per-client rows of {@code rows}, in their order. */
  public static List<FeatureRow> clientRows(List<FeatureRow> rows) {
    return rows.stream().filter(r -> r.group().startsWith(CLIENT_PREFIX)).toList();
  }

  /** Splits the per-client rows of {@code rows} by time. */
  public static TimeSplit split(List<FeatureRow> rows, DatasetSchema schema, double trainFraction) {
    return TimeSplit.of(clientRows(rows), schema, trainFraction);
  }

  /**
   * Trains a {@code kind} model on {@code split}'s training rows and scores it on both parts.
   *
   * @throws IllegalArgumentException when the training part is too small or every feature is constant in it
   */
  public static Result train(TimeSplit split, DatasetSchema schema, RegressionKind kind) {
    return train(split, schema, kind, trainer(kind));
  }

  /** Like {@link #train(TimeSplit, DatasetSchema, RegressionKind)} with another trainer (experiments). */
  static Result train(TimeSplit split, DatasetSchema schema, RegressionKind kind, Trainer<Regressor> trainer) {
    List<FeatureRow> rows = split.train();
    if (rows.size() < 10) {
      throw new IllegalArgumentException("the training part holds " + rows.size()
          + " per-client rows (expected: at least 10; give a longer log or a shorter --window)");
    }
    if (split.test().isEmpty()) {
      throw new IllegalArgumentException("the test part holds no per-client rows (expected: a log spanning more windows)");
    }
    List<String> features = informative(rows, schema);
    if (features.isEmpty()) {
      throw new IllegalArgumentException("every feature is constant over the " + rows.size() + " training rows");
    }
    double scale = spread(rows, schema);
    TokenModel shape = new TokenModel(kind, null, features, schema, scale);
    RegressionFactory factory = new RegressionFactory();
    MutableDataset<Regressor> data = new MutableDataset<>(new SimpleDataSourceProvenance("sluice dataset", factory),
        factory);
    for (FeatureRow r : rows) {
      double[] v = r.values();
      data.add(shape.example(v, shape.encode(v)));
    }
    Model<Regressor> fitted = trainer.train(data);
    TokenModel model = new TokenModel(kind, fitted, features, schema, scale);
    return new Result(model, split, TokenEvaluation.of(model, split.test(), schema),
        TokenEvaluation.of(model, rows, schema));
  }

  private static Trainer<Regressor> trainer(RegressionKind kind) {
    return switch (kind) {
      case LINEAR -> new TransformTrainer<>(new LinearSGDTrainer(new SquaredLoss(), new AdaGrad(0.1, 0.1), 10,
          Integer.MAX_VALUE, SEED), new TransformationMap(List.of(new MeanStdDevTransformation())));
      case XGBOOST -> new XGBoostRegressionTrainer(XGBoostRegressionTrainer.RegressionType.LINEAR, 100, 0.1, 0, 3, 20,
          0.8, 0.8, 1, 0, 1, true, SEED);
    };
  }

  private static String settings(RegressionKind kind) {
    return switch (kind) {
      case LINEAR -> "LinearSGDTrainer(squared loss, AdaGrad 0.1, 10 epochs) on standardised features";
      case XGBOOST -> "XGBoostRegressionTrainer(100 trees, depth 3, eta 0.1, min child weight 20, subsample 0.8, colsample 0.8, 1 thread)";
    };
  }

  /** The features with at least two distinct non-NaN values over {@code rows}, in schema order. */
  public static List<String> informative(List<FeatureRow> rows, DatasetSchema schema) {
    List<String> out = new ArrayList<>();
    for (DatasetSchema.Column c : schema.features()) {
      int i = schema.index(c.name());
      Set<Double> seen = new HashSet<>();
      for (FeatureRow r : rows) {
        double x = r.values()[i];
        if (!Double.isNaN(x) && seen.add(x) && seen.size() > 1) {
          break;
        }
      }
      if (seen.size() > 1) {
        out.add(c.name());
      }
    }
    return out;
  }

  /** The standard deviation of {@code tokens_next − tokens} over {@code rows}, at least 1. */
  public static double spread(List<FeatureRow> rows, DatasetSchema schema) {
    int t = schema.index(TARGET);
    int o = schema.index(OFFSET);
    double sum = 0;
    double sq = 0;
    for (FeatureRow r : rows) {
      double[] v = r.values();
      double d = v[t] - v[o];
      sum += d;
      sq += d * d;
    }
    double mean = sum / rows.size();
    return Math.max(1, Math.sqrt(Math.max(0, sq / rows.size() - mean * mean)));
  }

  /** {@code kind: MAE x (baseline y), RMSE ...} for logs and tests. */
  static String describe(Result r) {
    return String.format(Locale.ROOT, "%s: MAE %.3f (baseline %.3f), RMSE %.3f (baseline %.3f)", r.model().kind().label(),
        r.test().model().mae(), r.test().baseline().mae(), r.test().model().rmse(), r.test().baseline().rmse());
  }
}
