package dev.sluice.ml.deep;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.sluice.ml.data.Series;
import dev.sluice.ml.forecast.Forecaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Random;

/**
 * A one-layer LSTM with a linear head over lag windows (see {@link LstmWindows}), on DJL and the
 * PyTorch CPU engine. Immutable; each {@link #predict} trains a model of its own on the training
 * part, with a fixed seed, so the same input gives the same forecasts. Calls from several threads
 * run one at a time (PyTorch's random generator is global).
 *
 * <p>Training: Adam on the mean squared error of the standardised log change from the origin,
 * mini-batches in a seeded shuffled order, gradients clipped; the last {@code validation} share of
 * the training windows (by time, never shuffled in) is held out, and training stops when its loss
 * has not improved for {@code patience} epochs, keeping the best epoch's weights. The fitted model
 * then forecasts every window from its origin as {@link Forecaster} says; nothing after the
 * training part is ever trained on. With {@code members > 1} that is done by several networks from
 * consecutive seeds and their outputs are averaged.
 *
 * <p>The defaults ({@link #defaults()}: 24 lags, 32 units, 3 networks, no calendar) were chosen on
 * an inner split of the NASA July 1995 training part (docs/learning.md, "The LSTM forecaster").
 * The 90 % intervals are not made here: {@code Backtest} puts the same split-conformal intervals
 * around every forecaster's forecasts, calibrated on a second fit without the training tail.
 *
 * @param lags how many past windows one sequence holds
 * @param hidden the LSTM's state size
 * @param epochs the most passes over the training windows
 * @param batch windows per gradient step
 * @param learningRate Adam's step size
 * @param patience epochs without a better validation loss before stopping
 * @param validation the share of the training windows, at their end, that only validates
 * @param calendar whether each step carries the time of day (and the day of week, given four
 *     weeks of training data)
 * @param members how many networks train (seeds {@code seed}, {@code seed + 1}, …); the forecast is
 *     the mean of their outputs, which evens out how much one network depends on its seed
 * @param seed the seed of PyTorch's generator (initial weights) and of the batch order
 */
record LstmForecaster(int lags, int hidden, int epochs, int batch, double learningRate, int patience,
    double validation, boolean calendar, int members, long seed) implements Forecaster {

  /** Windows forecast per inference call. */
  private static final int CHUNK = 4096;

  LstmForecaster {
    positive("lags", lags);
    positive("hidden", hidden);
    positive("epochs", epochs);
    positive("batch", batch);
    positive("patience", patience);
    positive("members", members);
    if (!(learningRate > 0 && learningRate < 1)) {
      throw new IllegalArgumentException("learningRate: " + learningRate + " (expected: 0 < rate < 1)");
    }
    if (!(validation > 0 && validation < 0.5)) {
      throw new IllegalArgumentException("validation: " + validation + " (expected: 0 < share < 0.5)");
    }
  }

  /** The settings {@code sluice forecast --model lstm} uses. */
  static LstmForecaster defaults() {
    return new LstmForecaster(24, 32, 30, 64, 0.003, 4, 0.1, false, 3, 1);
  }

  @Override
  public String name() {
    return "lstm";
  }

  @Override
  public double[] predict(Series series, int trainEnd, int horizon) {
    Forecaster.check(series, trainEnd, horizon);
    LstmWindows w = new LstmWindows(series, trainEnd, horizon, lags, calendar);
    int first = w.first();
    int samples = trainEnd - first;
    int valSize = (int) Math.ceil(samples * validation);
    if (samples - valSize < 2 * batch || valSize < 10) {
      throw new IllegalArgumentException("lstm: the training part holds " + trainEnd + " windows (expected: more than "
          + (first + Math.max(2 * batch + 10, (int) Math.ceil((2 * batch) / (1 - validation)))) + " for " + lags
          + " lags, horizon " + horizon + " and batches of " + batch + ")");
    }
    int n = series.size();
    float[] sum = new float[n - first];
    synchronized (Torch.LOCK) {
      Engine engine = Torch.engine();
      for (int k = 0; k < members; k++) {
        engine.setRandomSeed((int) (seed + k));
        try (Model model = Model.newInstance("lstm", Device.cpu(), Torch.ENGINE)) {
          model.setBlock(block());
          float[] p = fitAndForecast(model, w, n, first, trainEnd - valSize, trainEnd, seed + k);
          for (int i = 0; i < p.length; i++) {
            sum[i] += p[i];
          }
        }
      }
    }
    double[] out = new double[n];
    Arrays.fill(out, 0, Math.min(first, n), Double.NaN);
    for (int t = first; t < n; t++) {
      out[t] = w.value(t, sum[t - first] / members);
    }
    return out;
  }

  private Block block() {
    return new SequentialBlock()
        .add(LSTM.builder().setStateSize(hidden).setNumLayers(1).optBatchFirst(true).optReturnState(false).build())
        .add(new LambdaBlock(list -> new NDList(list.singletonOrThrow().get(":, -1, :")), "last-step"))
        .add(Linear.builder().setUnits(1).build());
  }

  /** Trains one network; returns its outputs for targets {@code [first, n)}. */
  private float[] fitAndForecast(Model model, LstmWindows w, int n, int first, int valStart, int trainEnd,
      long memberSeed) {
    Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) learningRate)).optClipGrad(1f)
        .build();
    DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(adam);
    int f = w.features();
    try (Trainer trainer = model.newTrainer(config)) {
      trainer.initialize(new Shape(batch, lags, f));
      int[] order = new int[valStart - first];
      Arrays.setAll(order, i -> first + i);
      Random random = new Random(memberSeed);
      double best = Double.POSITIVE_INFINITY;
      byte[] bestWeights = weights(model.getBlock());
      int stale = 0;
      for (int epoch = 0; epoch < epochs && stale < patience; epoch++) {
        shuffle(order, random);
        for (int from = 0; from + batch <= order.length; from += batch) {
          step(trainer, w, order, from, f);
        }
        double loss = validationLoss(trainer, w, valStart, trainEnd);
        if (loss < best) {
          best = loss;
          bestWeights = weights(model.getBlock());
          stale = 0;
        } else {
          stale++;
        }
      }
      load(model, bestWeights);
      return forecast(trainer, w, first, n);
    }
  }

  private void step(Trainer trainer, LstmWindows w, int[] order, int from, int f) {
    float[] x = new float[batch * lags * f];
    float[] y = new float[batch];
    for (int i = 0; i < batch; i++) {
      w.input(order[from + i], x, i * lags * f);
      y[i] = w.target(order[from + i]);
    }
    try (NDManager m = trainer.getManager().newSubManager(); GradientCollector gc = trainer.newGradientCollector()) {
      NDArray input = m.create(x, new Shape(batch, lags, f));
      NDArray label = m.create(y, new Shape(batch, 1));
      NDArray loss = trainer.getLoss().evaluate(new NDList(label), trainer.forward(new NDList(input)));
      gc.backward(loss);
    }
    trainer.step();
  }

  /** The mean squared error on targets {@code [from, to)}, the model in inference mode. */
  private double validationLoss(Trainer trainer, LstmWindows w, int from, int to) {
    float[] p = forecast(trainer, w, from, to);
    double sum = 0;
    for (int t = from; t < to; t++) {
      double e = p[t - from] - w.target(t);
      sum += e * e;
    }
    return sum / (to - from);
  }

  /** The model's outputs for targets {@code [from, to)}. */
  private float[] forecast(Trainer trainer, LstmWindows w, int from, int to) {
    int f = w.features();
    float[] out = new float[to - from];
    for (int c = from; c < to; c += CHUNK) {
      int k = Math.min(CHUNK, to - c);
      float[] x = new float[k * lags * f];
      for (int i = 0; i < k; i++) {
        w.input(c + i, x, i * lags * f);
      }
      try (NDManager m = trainer.getManager().newSubManager()) {
        NDArray input = m.create(x, new Shape(k, lags, f));
        float[] p = trainer.evaluate(new NDList(input)).singletonOrThrow().toFloatArray();
        System.arraycopy(p, 0, out, c - from, k);
      }
    }
    return out;
  }

  private static byte[] weights(Block block) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      block.saveParameters(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void load(Model model, byte[] weights) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights))) {
      model.getBlock().loadParameters(model.getNDManager(), in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (MalformedModelException e) {
      throw new IllegalStateException("lstm: could not restore the best epoch's weights", e);
    }
  }

  private static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
    }
  }
}
