package dev.sluice.ml.deep;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.sluice.ml.dataset.DatasetSchema;
import dev.sluice.ml.dataset.FeatureRow;
import dev.sluice.ml.dataset.TimeSplit;
import dev.sluice.ml.model.TokenEvaluation;
import dev.sluice.ml.model.TokenRegression;
import dev.sluice.ml.model.TrainedTokenModel;
import dev.sluice.ml.registry.Libraries;
import dev.sluice.ml.registry.NewModel;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains the next-window token regression LSTM ({@link LstmTokenModel}) on the per-client rows of
 * a dataset, split by time like the Tribuo models ({@link TokenRegression}): the same split, the
 * same informative features and target scale, and scores on the same test rows. Immutable.
 *
 * <p>Only the training part is learnt from: the features' means and standard deviations, the
 * target's scale and the network's weights come from {@code split.train()}; the last {@code
 * validation} share of its windows (by time, never shuffled in) only decides when to stop
 * (patience, keeping the best epoch's weights). The linear head starts at zero, so the untrained
 * network predicts the last-window baseline, and it is kept when no epoch beats it on the
 * validation windows: the model cannot be worse than the baseline there. The sequences of training rows read earlier
 * training-part windows only; test rows read the windows before them, the training part's
 * included, which is what a live edge knows when it predicts. Adam on the {@code loss} (L1 or
 * squared) of the scaled target, seeded initial weights and batch order, clipped gradients.
 *
 * @param lags windows per sequence (the row's own and the {@code lags − 1} before it)
 * @param hidden the LSTM's state size
 * @param epochs the most passes over the training rows
 * @param batch rows per gradient step
 * @param learningRate Adam's step size
 * @param patience epochs without a better validation loss before stopping
 * @param validation the share of the training windows, at their end, that only validates
 * @param l1 whether the loss is the absolute error (the median, what MAE scores) or the squared one
 * @param seed PyTorch's generator and the batch order
 */
public record LstmTokenRegression(int lags, int hidden, int epochs, int batch, double learningRate, int patience,
    double validation, boolean l1, long seed) {

  /** The training span from which the time of day is a feature. */
  static final long DAY_SECONDS = 86_400;
  /** The training span from which the day of week is a feature. */
  static final long WEEK_SECONDS = 7 * DAY_SECONDS;

  /** Validates the settings. */
  public LstmTokenRegression {
    for (int v : new int[] {lags, hidden, epochs, batch, patience}) {
      if (v < 1) {
        throw new IllegalArgumentException("lags, hidden, epochs, batch, patience: " + lags + ", " + hidden + ", "
            + epochs + ", " + batch + ", " + patience + " (expected: each >= 1)");
      }
    }
    if (!(learningRate > 0 && learningRate < 1)) {
      throw new IllegalArgumentException("learningRate: " + learningRate + " (expected: 0 < rate < 1)");
    }
    if (!(validation > 0 && validation < 0.5)) {
      throw new IllegalArgumentException("validation: " + validation + " (expected: 0 < share < 0.5)");
    }
  }

  /** The settings {@code sluice train --model lstm} uses. */
  public static LstmTokenRegression defaults() {
    return new LstmTokenRegression(6, 32, 30, 64, 0.003, 4, 0.1, true, 1);
  }

  /** The trainer description recorded in the metadata. */
  String settings() {
    return String.format(Locale.ROOT, "LSTM(%d units, %d windows) + linear head, Adam %s, %s loss, batch %d, <= %d"
        + " epochs, patience %d on the last %.0f %% of the training windows, 1 thread", hidden, lags, learningRate,
        l1 ? "L1" : "L2", batch, epochs, patience, validation * 100);
  }

  /**
   * Trains on {@code split.train()} and scores on both parts.
   *
   * @param clientRows every per-client row (the test rows' history before the cut comes from here)
   * @param progress gets a message after each epoch
   * @throws IllegalArgumentException when the training part is too small
   */
  public TrainedTokenModel train(List<FeatureRow> clientRows, TimeSplit split, DatasetSchema schema,
      Consumer<String> progress) {
    List<FeatureRow> rows = split.train();
    if (split.test().isEmpty()) {
      throw new IllegalArgumentException("the test part holds no per-client rows (expected: a log spanning more"
          + " windows)");
    }
    List<FeatureRow> fit = new ArrayList<>();
    List<FeatureRow> check = new ArrayList<>();
    long first = rows.stream().mapToLong(FeatureRow::windowStart).min().orElse(0);
    long last = rows.stream().mapToLong(FeatureRow::windowStart).max().orElse(0);
    long valFrom = last - (long) Math.floor((last - first) * validation);
    for (FeatureRow r : rows) {
      (r.windowStart() > valFrom ? check : fit).add(r);
    }
    if (fit.size() < 2 * batch || check.size() < 10) {
      throw new IllegalArgumentException("lstm: the training part holds " + rows.size() + " per-client rows (expected:"
          + " at least " + (int) Math.ceil((2 * batch + 10) / (1 - validation)) + " for batches of " + batch
          + "; give a longer log or a shorter --window)");
    }
    List<String> features = features(rows, schema);
    if (features.isEmpty()) {
      throw new IllegalArgumentException("every feature is constant over the " + rows.size() + " training rows");
    }
    double scale = TokenRegression.spread(rows, schema);
    double[][] stats = moments(rows, schema, features);
    byte[] weights = fit(rows, fit, check, schema, features, stats, scale, progress);
    LstmTokenModel model;
    try {
      model = new LstmTokenModel(lags, hidden, scale, features, stats[0], stats[1], weights, schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TokenEvaluation test = TokenEvaluation.of(predictTest(model, clientRows, split), split.test(), schema);
    TokenEvaluation train = TokenEvaluation.of(model, rows, schema);
    return new TrainedTokenModel(model, split, test, train, newModel(model, split, test, train, schema));
  }

  /** The test rows' predictions, each sequence reading the windows before it (the cut's side included). */
  static double[] predictTest(LstmTokenModel model, List<FeatureRow> clientRows, TimeSplit split) {
    List<FeatureRow> all = new ArrayList<>();
    for (FeatureRow r : clientRows) {
      if (r.windowStart() < split.cut()) {
        all.add(r);
      }
    }
    int context = all.size();
    all.addAll(split.test());
    double[] p = model.predict(all);
    return Arrays.copyOfRange(p, context, p.length);
  }

  /** Trains the network on {@code fit}, validating on {@code check}; returns the best epoch's weights. */
  private byte[] fit(List<FeatureRow> rows, List<FeatureRow> fit, List<FeatureRow> check, DatasetSchema schema,
      List<String> features, double[][] stats, double scale, Consumer<String> progress) {
    int f = features.size();
    synchronized (Torch.LOCK) {
      Engine engine = Torch.engine();
      engine.setRandomSeed((int) seed);
      try (Model model = Model.newInstance("lstm-tokens", Device.cpu(), Torch.ENGINE)) {
        model.setBlock(LstmTokenModel.block(hidden));
        Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) learningRate)).optClipGrad(1f)
            .build();
        DefaultTrainingConfig config = new DefaultTrainingConfig(l1 ? Loss.l1Loss() : Loss.l2Loss()).optOptimizer(adam);
        try (Trainer trainer = model.newTrainer(config)) {
          // A zero head: the untrained network predicts no change, i.e. the last-window baseline.
          // (Set after newTrainer, which applies the config's initializers to every weight.)
          ((SequentialBlock) model.getBlock()).getChildren().get(2).getValue()
              .setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
          trainer.initialize(new Shape(batch, lags, f));
          // Sequences over the training rows only: a training row's history never reaches past them.
          int[] index = features.stream().mapToInt(schema::index).toArray();
          LstmSequences seq = new LstmSequences(rows, lags, schema, index, stats[0], stats[1]);
          int[] fitIdx = positions(rows, fit);
          int[] checkIdx = positions(rows, check);
          float[] y = targets(rows, schema, scale);
          Random random = new Random(seed);
          double best = validationLoss(trainer, seq, y, checkIdx, f);
          byte[] bestWeights = weights(model);
          int stale = 0;
          for (int epoch = 0; epoch < epochs && stale < patience; epoch++) {
            shuffle(fitIdx, random);
            for (int from = 0; from + batch <= fitIdx.length; from += batch) {
              step(trainer, seq, y, fitIdx, from, f);
            }
            double loss = validationLoss(trainer, seq, y, checkIdx, f);
            if (loss < best) {
              best = loss;
              bestWeights = weights(model);
              stale = 0;
            } else {
              stale++;
            }
            progress.accept(String.format(Locale.ROOT, "lstm epoch %d/%d, validation loss %.4f", epoch + 1, epochs,
                loss));
          }
          return bestWeights;
        }
      }
    }
  }

  private void step(Trainer trainer, LstmSequences seq, float[] y, int[] order, int from, int f) {
    float[] x = new float[batch * lags * f];
    float[] label = new float[batch];
    for (int i = 0; i < batch; i++) {
      seq.write(order[from + i], x, i * lags * f);
      label[i] = y[order[from + i]];
    }
    try (NDManager m = trainer.getManager().newSubManager(); GradientCollector gc = trainer.newGradientCollector()) {
      NDArray input = m.create(x, new Shape(batch, lags, f));
      NDArray target = m.create(label, new Shape(batch, 1));
      gc.backward(trainer.getLoss().evaluate(new NDList(target), trainer.forward(new NDList(input))));
    }
    trainer.step();
  }

  /** The mean loss over the validation rows, the network in inference mode. */
  private double validationLoss(Trainer trainer, LstmSequences seq, float[] y, int[] idx, int f) {
    float[] x = new float[idx.length * lags * f];
    for (int i = 0; i < idx.length; i++) {
      seq.write(idx[i], x, i * lags * f);
    }
    float[] p;
    try (NDManager m = trainer.getManager().newSubManager()) {
      p = trainer.evaluate(new NDList(m.create(x, new Shape(idx.length, lags, f)))).singletonOrThrow().toFloatArray();
    }
    double sum = 0;
    for (int i = 0; i < idx.length; i++) {
      double e = p[i] - y[idx[i]];
      sum += l1 ? Math.abs(e) : e * e;
    }
    return sum / idx.length;
  }

  private NewModel newModel(LstmTokenModel model, TimeSplit split, TokenEvaluation test, TokenEvaluation train,
      DatasetSchema schema) {
    List<FeatureRow> tr = split.train();
    long first = tr.stream().mapToLong(FeatureRow::windowStart).min().orElseThrow();
    long last = tr.stream().mapToLong(FeatureRow::windowStart).max().orElseThrow();
    Map<String, Double> metrics = TokenRegression.metrics(test, train);
    Map<String, String> parameters = TokenRegression.parameters(model.scale(), split);
    parameters.put("seed", Long.toString(seed));
    parameters.put("lags", Integer.toString(lags));
    parameters.put("hidden", Integer.toString(hidden));
    parameters.put("trainer", settings());
    Map<String, String> libraries = new LinkedHashMap<>(Libraries.current());
    libraries.put("djl", Engine.getDjlVersion());
    libraries.put("pytorch", Torch.engine().getVersion());
    return new NewModel(LstmTokenModel.KIND, TokenRegression.TARGET, schema.hash(), schema.windowSeconds(),
        model.features(), Instant.ofEpochSecond(first), Instant.ofEpochSecond(last), tr.size(), metrics, parameters,
        libraries, LstmTokenModel.FILE_NAME, model::save);
  }

  /**
   * The informative features ({@link TokenRegression#informative}) less the calendar ones whose
   * cycle the training part does not cover: {@code hour_*} need a day of training windows, {@code
   * dow_*} a week. Over a shorter span they only tell the windows' order, so the test part's values
   * lie outside the training range and the network extrapolates from them.
   */
  static List<String> features(List<FeatureRow> rows, DatasetSchema schema) {
    long first = rows.stream().mapToLong(FeatureRow::windowStart).min().orElse(0);
    long last = rows.stream().mapToLong(FeatureRow::windowStart).max().orElse(0);
    long span = last - first + schema.windowSeconds();
    return TokenRegression.informative(rows, schema).stream()
        .filter(f -> !f.startsWith("hour_") || span >= DAY_SECONDS)
        .filter(f -> !f.startsWith("dow_") || span >= WEEK_SECONDS).toList();
  }

  /**
   * Each feature's mean and standard deviation (at least 1e-6) over the non-NaN values of {@code
   * rows}, on the scale the network reads ({@link LstmSequences#scaled}).
   */
  static double[][] moments(List<FeatureRow> rows, DatasetSchema schema, List<String> features) {
    double[] mean = new double[features.size()];
    double[] std = new double[features.size()];
    boolean[] log = LstmSequences.counts(schema, features.stream().mapToInt(schema::index).toArray());
    for (int j = 0; j < features.size(); j++) {
      int c = schema.index(features.get(j));
      double sum = 0;
      double sq = 0;
      long n = 0;
      for (FeatureRow r : rows) {
        double x = LstmSequences.scaled(r.values()[c], log[j]);
        if (!Double.isNaN(x)) {
          sum += x;
          sq += x * x;
          n++;
        }
      }
      mean[j] = n == 0 ? 0 : sum / n;
      std[j] = Math.max(1e-6, n == 0 ? 1 : Math.sqrt(Math.max(0, sq / n - mean[j] * mean[j])));
    }
    return new double[][] {mean, std};
  }

  private static float[] targets(List<FeatureRow> rows, DatasetSchema schema, double scale) {
    int t = schema.index(TokenRegression.TARGET);
    int o = schema.index(TokenRegression.OFFSET);
    float[] y = new float[rows.size()];
    for (int i = 0; i < y.length; i++) {
      double[] v = rows.get(i).values();
      y[i] = (float) ((v[t] - v[o]) / scale);
    }
    return y;
  }

  /** The positions in {@code all} of the rows of {@code part} (a sub-list in the same order). */
  private static int[] positions(List<FeatureRow> all, List<FeatureRow> part) {
    int[] out = new int[part.size()];
    int k = 0;
    for (int i = 0; i < all.size() && k < out.length; i++) {
      if (all.get(i) == part.get(k)) {
        out[k++] = i;
      }
    }
    if (k != out.length) {
      throw new IllegalStateException("lstm: the validation rows are not a sub-list of the training rows");
    }
    return out;
  }

  private static byte[] weights(Model model) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      model.getBlock().saveParameters(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
