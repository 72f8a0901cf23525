package dev.sluice.ml.live;

import java.util.Arrays;

/**
 * The population stability index (PSI) of one live feature against a reference distribution.
 * Single writer ({@link #add}); {@link #psi} may be read from any thread.
 *
 * <p>The reference is either given (the training distribution stored with a model: its decile
 * edges) or, for online models, the first {@code window} values seen. Bins are the reference's
 * deciles (10 bins, the outer ones open); the live distribution is the last {@code window} values.
 * {@code PSI = Σ (live_i − ref_i) · ln(live_i / ref_i)} over the bins, with shares floored at
 * 1e-4 so an empty bin counts as rare, not impossible. Conventional reading: below 0.1 stable,
 * 0.1–0.2 moderate shift, above 0.2 ({@link #THRESHOLD}) a significant shift.
 */
public final class FeatureDrift {

  /** The PSI above which a feature counts as drifted. */
  public static final double THRESHOLD = 0.2;

  private static final int BINS = 10;
  private static final double FLOOR = 1e-4;

  private final String feature;
  private final int window;
  private final double[] live;
  private double[] edges;
  private double[] reference;
  private int next;
  private int size;
  private long seen;
  private volatile double psi = Double.NaN;

  /** Drift of {@code feature} against its first {@code window} values. */
  public FeatureDrift(String feature, int window) {
    if (window < BINS * 2) {
      throw new IllegalArgumentException("window: " + window + " (expected: >= " + BINS * 2 + ")");
    }
    this.feature = feature;
    this.window = window;
    this.live = new double[window];
  }

  /** Drift of {@code feature} against a training sample {@code reference} (its deciles become the bins). */
  public static FeatureDrift against(String feature, int window, double[] reference) {
    FeatureDrift d = new FeatureDrift(feature, window);
    d.reference(reference.clone());
    return d;
  }

  /** Returns the feature's name. */
  public String feature() {
    return feature;
  }

  /** Adds one live value; returns the PSI after it ({@code NaN} until both distributions are known). */
  public double add(double value) {
    if (Double.isNaN(value)) {
      return psi;
    }
    seen++;
    live[next] = value;
    next = (next + 1) % window;
    size = Math.min(size + 1, window);
    if (edges == null) {
      if (size == window) {
        reference(live.clone());
        size = 0; // the live window starts after the reference
      }
      return psi;
    }
    if (size == window) {
      psi = compute();
    }
    return psi;
  }

  /** Returns the last PSI, {@code NaN} before there is a full live window after the reference. */
  public double psi() {
    return psi;
  }

  private void reference(double[] sample) {
    Arrays.sort(sample);
    edges = new double[BINS - 1];
    for (int i = 1; i < BINS; i++) {
      edges[i - 1] = sample[Math.min(sample.length - 1, i * sample.length / BINS)];
    }
    reference = shares(sample, sample.length);
  }

  private double compute() {
    double[] now = shares(live, size);
    double sum = 0;
    for (int i = 0; i < BINS; i++) {
      sum += (now[i] - reference[i]) * Math.log(now[i] / reference[i]);
    }
    return sum;
  }

  private double[] shares(double[] values, int n) {
    double[] counts = new double[BINS];
    for (int i = 0; i < n; i++) {
      counts[bin(values[i])]++;
    }
    for (int i = 0; i < BINS; i++) {
      counts[i] = Math.max(FLOOR, counts[i] / n);
    }
    return counts;
  }

  /** The bin of {@code v}: the number of edges strictly below it; ties go to the lower bin. */
  private int bin(double v) {
    int b = 0;
    while (b < edges.length && v > edges[b]) {
      b++;
    }
    return b;
  }

  /** Returns how many values have been added. */
  public long seen() {
    return seen;
  }
}
