package dev.sluice.adaptive.anomaly;

import java.util.Arrays;

/**
 * Scores how unlike everything seen before the recent shape of the series is, in the manner of
 * adaptive resonance (ARTime): a bounded set of prototypes of recent-history vectors, learned
 * online; a vector farther than the vigilance from every prototype is novel and becomes a
 * prototype itself. Single writer; memory is fixed by the settings.
 *
 * <p>The vector at each window: the means of {@code blocks} consecutive blocks of {@code
 * blockSize} values, for each scale, scaled to [0, 1] by the range of the values seen during the
 * warm-up. The distance is the mean absolute difference. Score {@code d / (d + vigilance)} for the
 * distance d to the nearest prototype (0.5 at the vigilance); 0 during the warm-up, which only
 * learns. After an alarm (score ≥ 0.5) the next {@code holdOff} scores are 0 while learning
 * continues: one report per episode.
 */
public final class NoveltyDetector implements Detector {

  /**
   * The settings.
   *
   * @param warmup windows that only learn (the range and the first prototypes), ≥ 2
   * @param scales pairs {@code blockSize, blocks}, each ≥ 1
   * @param vigilance the distance (in units of the warm-up range) at which a vector is novel, > 0
   * @param learningRate how far a matched prototype moves towards the vector, in (0, 1]
   * @param capacity the most prototypes kept (the least recently matched one is replaced), ≥ 1
   * @param holdOff windows reported as 0 after an alarm, ≥ 0
   */
  public record Settings(int warmup, int[] scales, double vigilance, double learningRate, int capacity, int holdOff) {
    /** Validates every field. */
    public Settings {
      Checks.atLeast("warmup", warmup, 2);
      if (scales == null || scales.length == 0 || scales.length % 2 != 0) {
        throw new IllegalArgumentException("scales: " + Arrays.toString(scales)
            + " (expected: pairs of block size and block count)");
      }
      for (int i = 0; i < scales.length; i++) {
        Checks.atLeast("scales[" + i + "]", scales[i], 1);
      }
      scales = scales.clone();
      Checks.positive("vigilance", vigilance);
      Checks.fraction("learningRate", learningRate);
      Checks.atLeast("capacity", capacity, 1);
      Checks.atLeast("holdOff", holdOff, 0);
    }

    /** A copy of the scales. */
    @Override
    public int[] scales() {
      return scales.clone();
    }

    int dimensions() {
      int d = 0;
      for (int i = 1; i < scales.length; i += 2) {
        d += scales[i];
      }
      return d;
    }

    int history() {
      int h = 0;
      for (int i = 0; i < scales.length; i += 2) {
        h = Math.max(h, scales[i] * scales[i + 1]);
      }
      return h;
    }
  }

  private final Settings settings;
  private final int[] scales;
  private final double[] ring;
  private final double[] vector;
  private final double[][] prototypes;
  private final long[] lastMatched;
  private int prototypeCount;
  private int ringNext;
  private long seen;
  private double lo = Double.POSITIVE_INFINITY;
  private double hi = Double.NEGATIVE_INFINITY;
  private int quiet;

  private NoveltyDetector(Settings settings) {
    this.settings = settings;
    this.scales = settings.scales();
    this.ring = new double[settings.history()];
    this.vector = new double[settings.dimensions()];
    this.prototypes = new double[settings.capacity()][settings.dimensions()];
    this.lastMatched = new long[settings.capacity()];
  }

  /** A detector with these settings. */
  public static NoveltyDetector of(Settings settings) {
    if (settings == null) {
      throw new IllegalArgumentException("settings: null (expected: settings)");
    }
    return new NoveltyDetector(settings);
  }

  @Override
  public double update(long nanos, double value) {
    if (!Double.isFinite(value)) {
      return 0;
    }
    ring[ringNext] = value;
    ringNext = (ringNext + 1) % ring.length;
    seen++;
    if (seen <= settings.warmup()) {
      lo = Math.min(lo, value);
      hi = Math.max(hi, value);
    }
    if (seen < ring.length) {
      return 0;
    }
    features();
    double d = learn();
    if (seen <= settings.warmup()) {
      return 0;
    }
    double s = Checks.saturate(d, settings.vigilance());
    if (quiet > 0) {
      quiet--;
      return 0;
    }
    if (s >= 0.5) {
      quiet = settings.holdOff();
    }
    return s;
  }

  private void features() {
    double range = hi - lo;
    double scale = range > 0 ? range : Math.max(Math.abs(hi), 1e-9);
    int[] sc = scales;
    int k = 0;
    for (int i = 0; i < sc.length; i += 2) {
      int size = sc[i];
      for (int b = 0; b < sc[i + 1]; b++) {
        double sum = 0;
        for (int j = 0; j < size; j++) {
          int idx = ringNext - 1 - b * size - j;
          sum += ring[Math.floorMod(idx, ring.length)];
        }
        vector[k++] = (sum / size - lo) / scale;
      }
    }
  }

  /** Matches the vector, learns it, returns its distance to the nearest prototype before learning. */
  private double learn() {
    int best = -1;
    double bestD = Double.POSITIVE_INFINITY;
    for (int p = 0; p < prototypeCount; p++) {
      double d = 0;
      double[] w = prototypes[p];
      for (int i = 0; i < vector.length; i++) {
        d += Math.abs(vector[i] - w[i]);
      }
      if (d < bestD) {
        bestD = d;
        best = p;
      }
    }
    bestD /= vector.length;
    if (best >= 0 && bestD <= settings.vigilance()) {
      double[] w = prototypes[best];
      for (int i = 0; i < vector.length; i++) {
        w[i] += settings.learningRate() * (vector[i] - w[i]);
      }
      lastMatched[best] = seen;
      return bestD;
    }
    int slot = prototypeCount < prototypes.length ? prototypeCount++ : oldest();
    System.arraycopy(vector, 0, prototypes[slot], 0, vector.length);
    lastMatched[slot] = seen;
    return best < 0 ? 0 : bestD;
  }

  private int oldest() {
    int o = 0;
    for (int p = 1; p < prototypeCount; p++) {
      if (lastMatched[p] < lastMatched[o]) {
        o = p;
      }
    }
    return o;
  }

  @Override
  public AnomalyKind kind() {
    return AnomalyKind.SPIKE;
  }

  @Override
  public Detector copy() {
    return new NoveltyDetector(settings);
  }
}
