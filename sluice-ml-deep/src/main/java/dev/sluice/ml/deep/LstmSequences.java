package dev.sluice.ml.deep;

import dev.sluice.ml.dataset.DatasetSchema;
import dev.sluice.ml.dataset.FeatureRow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The token LSTM's inputs for a list of per-client rows: each row's features standardised with
 * the training statistics (NaN → 0, the training mean), counts (the schema's {@code int} columns:
 * requests, tokens, bytes, their sums and lags) on a {@code log1p} scale first, so that a heavy
 * client's or a burst's counts do not swamp the inputs, and each row's sequence of {@code lags}
 * windows, oldest first, ending at the row's own. A row's earlier windows are the rows of the same
 * group in the list with the window starts before it; where one is missing (a client's first
 * windows, a gap) the oldest step found is repeated. Immutable after construction.
 */
final class LstmSequences {

  private final List<FeatureRow> rows;
  private final int lags;
  private final int features;
  private final long windowSeconds;
  private final float[][] z;
  private final Map<String, Map<Long, Integer>> byGroup = new HashMap<>();

  /**
   * @param index each feature's column in the rows
   * @param mean each feature's training mean
   * @param std each feature's training standard deviation (> 0)
   */
  LstmSequences(List<FeatureRow> rows, int lags, DatasetSchema schema, int[] index, double[] mean, double[] std) {
    this.rows = rows;
    this.lags = lags;
    this.features = index.length;
    this.windowSeconds = schema.windowSeconds();
    this.z = new float[rows.size()][];
    boolean[] log = counts(schema, index);
    for (int i = 0; i < rows.size(); i++) {
      FeatureRow r = rows.get(i);
      double[] values = r.values();
      float[] v = new float[index.length];
      for (int j = 0; j < index.length; j++) {
        double x = scaled(values[index[j]], log[j]);
        v[j] = Double.isNaN(x) ? 0f : (float) ((x - mean[j]) / std[j]);
      }
      z[i] = v;
      byGroup.computeIfAbsent(r.group(), g -> new HashMap<>()).put(r.windowStart(), i);
    }
  }

  /** Which of the columns at {@code index} are counts (type {@code int}), read on a {@code log1p} scale. */
  static boolean[] counts(DatasetSchema schema, int[] index) {
    boolean[] log = new boolean[index.length];
    for (int j = 0; j < index.length; j++) {
      log[j] = index[j] < schema.features().size() && schema.features().get(index[j]).type().equals("int");
    }
    return log;
  }

  /** A feature value as the network reads it before standardising: {@code log1p} of a count, others as they are. */
  static double scaled(double x, boolean log) {
    return log && !Double.isNaN(x) ? Math.log1p(Math.max(0, x)) : x;
  }

  /** Floats per sequence: lags × features. */
  int size() {
    return lags * features;
  }

  /** Writes row {@code i}'s sequence (oldest window first) into {@code out} at {@code at}. */
  void write(int i, float[] out, int at) {
    FeatureRow r = rows.get(i);
    Map<Long, Integer> group = byGroup.get(r.group());
    int step = i;
    for (int j = 0; j < lags; j++) {
      Integer k = j == 0 ? Integer.valueOf(i) : group.get(r.windowStart() - j * windowSeconds);
      if (k == null) {
        // the oldest window found stands for the missing ones: fill the rest of the past with it
        for (int rest = j; rest < lags; rest++) {
          System.arraycopy(z[step], 0, out, at + (lags - 1 - rest) * features, features);
        }
        return;
      }
      step = k;
      System.arraycopy(z[step], 0, out, at + (lags - 1 - j) * features, features);
    }
  }
}
