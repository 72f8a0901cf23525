package dev.sluice.adaptive.anomaly;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Numenta Anomaly Benchmark's scoring rules (NAB v1.0, {@code nab/sweeper.py}), written from
 * its source. Stateless.
 *
 * <ol>
 *   <li>The first {@code min(⌊0.15·n⌋, 750)} rows of a file are probationary: ignored.
 *   <li>A detection is a row whose score is ≥ the threshold.
 *   <li>Inside a window of width w (rows, both ends included), a row at index i scores {@code
 *       σ̃(−(right − i + 1) / w) · A_TP / σ̃(−1)}, with {@code σ̃(x) = 2 / (1 + e^{5x}) − 1}: 1 at the
 *       window's first row, falling towards 0 at its end. Only the best (earliest) detection of a
 *       window counts; a window without one costs {@code −A_FN}.
 *   <li>Outside windows, every detection costs {@code σ̃(|i − right| / (w − 1)) · A_FP} after a
 *       window (near −0 just after it, −A_FP from three widths on), {@code −A_FP} before the first
 *       window.
 *   <li>A file's raw score is the sum; the corpus' raw score the sum over files. One threshold for
 *       the whole corpus, the one that maximises the corpus' raw score (NAB sweeps every distinct
 *       score as a threshold).
 *   <li>Normalised: {@code 100 · (raw − null) / (perfect − null)}, with null the raw score of a
 *       detector that never fires ({@code −A_FN} per scorable window) and perfect {@code A_TP} per
 *       labelled window.
 * </ol>
 */
final class NabScorer {

  /** NAB's cost matrix; {@link #STANDARD} is the "standard" profile of profiles.json. */
  record Profile(double tp, double fp, double fn, double tn) {
    static final Profile STANDARD = new Profile(1.0, 0.11, 1.0, 1.0);
  }

  /** Rows of one file labelled for scoring: window ordinal (≥ 0), {@link #OUTSIDE} or {@link #PROBATION}. */
  record Labelled(int[] window, double[] weighted, int windows, int scorableWindows) {
    static final int OUTSIDE = -1;
    static final int PROBATION = -2;

    int rows() {
      return window.length;
    }

    /** The null detector's raw score on this file. */
    double nullScore(Profile p) {
      return -p.fn * scorableWindows;
    }

    /** The perfect detector's raw score on this file. */
    double perfectScore(Profile p) {
      return p.tp * windows;
    }
  }

  /** A threshold with the corpus' raw score at it. */
  record Sweep(double threshold, double raw) {}

  private NabScorer() {}

  static double scaledSigmoid(double x) {
    return x > 3.0 ? -1.0 : 2 / (1 + Math.exp(5 * x)) - 1;
  }

  static int probationaryLength(int rows) {
    return (int) Math.min(Math.floor(0.15 * rows), 0.15 * 5000);
  }

  /**
   * Labels {@code rows} rows given the windows as inclusive row ranges {@code [first, last]},
   * sorted and disjoint.
   */
  static Labelled label(int rows, List<int[]> windows, Profile p) {
    int[] window = new int[rows];
    double[] weighted = new double[rows];
    double maxTp = scaledSigmoid(-1.0);
    int probation = probationaryLength(rows);
    int next = 0;
    int prevRight = -1;
    int prevWidth = 0;
    boolean[] scorable = new boolean[windows.size()];
    for (int i = 0; i < rows; i++) {
      int w = windowAt(next, windows, i);
      if (w >= 0) {
        int[] lim = windows.get(w);
        double width = lim[1] - lim[0] + 1;
        weighted[i] = scaledSigmoid(-(lim[1] - i + 1) / width) * p.tp / maxTp;
        window[i] = w;
        if (i == lim[1]) {
          prevRight = i;
          prevWidth = (int) width;
          next = w + 1;
        }
      } else {
        double u = prevRight < 0 ? -1.0 : scaledSigmoid(Math.abs(prevRight - i) / (double) (prevWidth - 1));
        weighted[i] = u * p.fp;
        window[i] = Labelled.OUTSIDE;
      }
      if (i < probation) {
        window[i] = Labelled.PROBATION;
      } else if (window[i] >= 0) {
        scorable[window[i]] = true;
      }
    }
    int count = 0;
    for (boolean b : scorable) {
      count += b ? 1 : 0;
    }
    return new Labelled(window, weighted, windows.size(), count);
  }

  /** The ordinal of the window holding row i ({@code next} or none: −1). */
  private static int windowAt(int next, List<int[]> windows, int i) {
    return next < windows.size() && i >= windows.get(next)[0] && i <= windows.get(next)[1] ? next : -1;
  }

  /** One file's raw score at {@code threshold}. */
  static double score(Labelled file, double[] scores, double threshold, Profile p) {
    double[] best = new double[file.windows()];
    Arrays.fill(best, Double.NaN);
    double fp = 0;
    for (int i = 0; i < file.rows(); i++) {
      int w = file.window()[i];
      if (w == Labelled.PROBATION || !(scores[i] >= threshold)) {
        continue;
      }
      if (w == Labelled.OUTSIDE) {
        fp += file.weighted()[i];
      } else {
        best[w] = Double.isNaN(best[w]) ? file.weighted()[i] : Math.max(best[w], file.weighted()[i]);
      }
    }
    double total = fp;
    boolean[] scorable = scorable(file);
    for (int w = 0; w < best.length; w++) {
      if (!scorable[w]) {
        continue;
      }
      total += Double.isNaN(best[w]) ? -p.fn : Math.max(best[w], -p.fn);
    }
    return total;
  }

  private static boolean[] scorable(Labelled file) {
    boolean[] s = new boolean[file.windows()];
    for (int w : file.window()) {
      if (w >= 0) {
        s[w] = true;
      }
    }
    return s;
  }

  /** NAB's threshold sweep over the whole corpus: the threshold with the highest raw score. */
  static Sweep best(List<Labelled> files, List<double[]> scores, Profile p) {
    int total = 0;
    for (Labelled f : files) {
      total += f.rows();
    }
    double[] s = new double[total];
    int[] fileOf = new int[total];
    int[] rowOf = new int[total];
    int k = 0;
    int windowBase = 0;
    int[] base = new int[files.size()];
    for (int f = 0; f < files.size(); f++) {
      base[f] = windowBase;
      windowBase += files.get(f).windows();
      for (int i = 0; i < files.get(f).rows(); i++) {
        s[k] = scores.get(f)[i];
        fileOf[k] = f;
        rowOf[k] = i;
        k++;
      }
    }
    Integer[] order = new Integer[total];
    for (int i = 0; i < total; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(s[b], s[a]));
    double[] windowScore = new double[windowBase];
    double raw = 0;
    for (int f = 0; f < files.size(); f++) {
      boolean[] sc = scorable(files.get(f));
      for (int w = 0; w < sc.length; w++) {
        windowScore[base[f] + w] = sc[w] ? -p.fn : 0;
        raw += windowScore[base[f] + w];
      }
    }
    List<Sweep> sweeps = new ArrayList<>();
    double cur = 1.1;
    for (int idx : order) {
      if (s[idx] != cur) {
        sweeps.add(new Sweep(cur, raw));
        cur = s[idx];
      }
      Labelled file = files.get(fileOf[idx]);
      int w = file.window()[rowOf[idx]];
      double v = file.weighted()[rowOf[idx]];
      if (w == Labelled.OUTSIDE) {
        raw += v;
      } else if (w >= 0) {
        int g = base[fileOf[idx]] + w;
        if (v > windowScore[g]) {
          raw += v - windowScore[g];
          windowScore[g] = v;
        }
      }
    }
    sweeps.add(new Sweep(cur, raw));
    Sweep best = sweeps.getFirst();
    for (Sweep sw : sweeps) {
      if (sw.raw() > best.raw()) {
        best = sw;
      }
    }
    return best;
  }

  /** {@code 100 · (raw − null) / (perfect − null)}. */
  static double normalised(double raw, double nullScore, double perfect) {
    return 100 * (raw - nullScore) / (perfect - nullScore);
  }
}
