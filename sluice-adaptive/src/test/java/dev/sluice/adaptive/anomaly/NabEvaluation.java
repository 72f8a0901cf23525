package dev.sluice.adaptive.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.adaptive.anomaly.NabCorpus.NabFile;
import dev.sluice.adaptive.anomaly.NabScorer.Labelled;
import dev.sluice.adaptive.anomaly.NabScorer.Profile;
import dev.sluice.testkit.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The NAB table of docs/anomaly.md: every detector on the NAB series in {@code
 * ../shared/data/nab}, standard profile, one threshold for the whole corpus (NAB's sweep), scores
 * per category and overall. Runs in the {@code evaluations} profile; writes the table to {@code
 * target/evaluations/nab.md}. Without the shared data it fails (SharedData), as every evaluation
 * does.
 */
class NabEvaluation {

  static final Profile P = Profile.STANDARD;
  static NabCorpus corpus;
  static List<Labelled> labelled;

  /** The detectors in the table; one parameter set each for the whole corpus. */
  static Map<String, Supplier<Detector>> detectors() {
    Map<String, Supplier<Detector>> m = new LinkedHashMap<>();
    // The per-file detectors (warm-up = the file's probationary period) are in perFile().
    m.put("spike", SpikeDetector::of);
    m.put("cusum", CusumDetector::of);
    m.put("page-hinkley", PageHinkleyDetector::of);
    m.put("auto (max of spike, cusum)", () -> Detectors.of("auto"));
    m.put("noisy-or of all three", () -> CombinedDetector.of(CombinedDetector.Rule.NOISY_OR,
        List.of(SpikeDetector.of(), CusumDetector.of(), PageHinkleyDetector.of())));
    m.put("spike, hold-off 300", () -> HoldOffDetector.of(SpikeDetector.of(), 300));
    m.put("cusum, hold-off 300", () -> HoldOffDetector.of(CusumDetector.of(), 300));
    m.put("auto, hold-off 300", () -> HoldOffDetector.of(Detectors.of("auto"), 300));
    m.put("tuned: multi-scale spike, hold-off 300", () -> HoldOffDetector.of(
        CombinedDetector.of(CombinedDetector.Rule.MAX, spikes()), 300));
    m.put("multiscale: multi-scale spike + cusum (max), hold-off 300", Detectors::multiscale);
    return m;
  }

  /**
   * Detectors built per file from its row count: the warm-up is NAB's probationary period, which
   * NAB hands every detector (HTM, ARTime and the others learn during it).
   */
  static Map<String, IntFunction<Detector>> perFile() {
    Map<String, IntFunction<Detector>> m = new LinkedHashMap<>();
    m.put("novelty (warm-up = probation)", rows -> Detectors.of("novelty", rows));
    return m;
  }

  /**
   * The neighbourhood of {@link Detectors#novelty(int)}'s parameters that the cross-validation
   * chooses from: vigilance × hold-off (fraction of the warm-up) × history scales; 18 settings.
   */
  static Map<String, IntFunction<Detector>> noveltyGrid() {
    Map<String, IntFunction<Detector>> m = new LinkedHashMap<>();
    for (double vigilance : new double[] {0.08, 0.1, 0.12}) {
      for (double hold : new double[] {0.3, 0.4, 0.5}) {
        for (int[] scales : new int[][] {{4, 4}, {4, 4, 36, 2}}) {
          m.put(String.format(Locale.ROOT, "vigilance %.2f, hold-off %.1f, scales %s", vigilance, hold,
              java.util.Arrays.toString(scales)), rows -> {
                int w = Detectors.warmupFor(rows);
                return NoveltyDetector.of(new NoveltyDetector.Settings(w, scales, vigilance, 0.02, 200, (int) (hold * w)));
              });
        }
      }
    }
    return m;
  }

  /**
   * As in {@link Detectors#multiscale()}: spike detectors on the value and on its means over 6 and 36 windows: k = 11, EWMA(0.05)
   * baseline, EWMA |residual| (0.002) spread.
   */
  static List<Detector> spikes() {
    List<Detector> parts = new ArrayList<>();
    for (int m : new int[] {1, 6, 36}) {
      parts.add(SpikeDetector.builder().halfScoreSigma(11).baseline(Baseline.ewma(0.05))
          .spread(Spread.ewmaAbsolute(0.002)).average(m).build());
    }
    return parts;
  }

  @BeforeAll
  static void read() throws IOException {
    corpus = NabCorpus.read(SharedData.file("nab"));
    labelled = corpus.files().stream().map(f -> NabScorer.label(f.values().length, f.windows(), P)).toList();
  }

  @Test
  void thePerfectDetectorScores100AndTheNullDetector0() {
    List<double[]> perfect = new ArrayList<>();
    List<double[]> none = new ArrayList<>();
    for (NabFile f : corpus.files()) {
      double[] s = new double[f.values().length];
      for (int[] w : f.windows()) {
        s[w[0]] = 1;
      }
      perfect.add(s);
      none.add(new double[f.values().length]);
    }
    assertThat(table("perfect", perfect).get("overall")).isCloseTo(100, within(1e-9));
    assertThat(table("null", none).get("overall")).isCloseTo(0, within(1e-9));
  }

  @Test
  void detectorsOnTheCorpus() throws IOException {
    StringBuilder md = new StringBuilder();
    Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
    for (Map.Entry<String, Supplier<Detector>> e : detectors().entrySet()) {
      rows.put(e.getKey(), table(e.getKey(), run(e.getValue())));
    }
    for (Map.Entry<String, IntFunction<Detector>> e : perFile().entrySet()) {
      rows.put(e.getKey(), table(e.getKey(), run(e.getValue())));
    }
    List<String> columns = new ArrayList<>(rows.values().iterator().next().keySet());
    md.append("| detector | ").append(String.join(" | ", columns)).append(" |\n|---|");
    md.append("---:|".repeat(columns.size())).append('\n');
    rows.forEach((name, cells) -> {
      md.append("| ").append(name).append(" |");
      for (String c : columns) {
        md.append(String.format(Locale.ROOT, c.equals("threshold") ? " %.4f |" : " %.1f |", cells.get(c)));
      }
      md.append('\n');
    });
    System.out.println(md);
    Path out = Path.of("target/evaluations/nab.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, md, StandardCharsets.UTF_8);
    assertThat(rows).allSatisfy((n, cells) -> assertThat(cells.get("overall")).as(n).isBetween(0.0, 100.0));
    // Measured 48.0 (docs/anomaly.md); the goal of 75 is not reached.
    assertThat(rows.get("multiscale: multi-scale spike + cusum (max), hold-off 300").get("overall")).isGreaterThan(47.5);
    // Measured 62.9 (docs/anomaly.md): the goal of 75 is not reached.
    assertThat(rows.get("novelty (warm-up = probation)").get("overall")).isGreaterThan(62.5);
  }

  /**
   * How much of the novelty detector's score is in-sample tuning: the files are split in two
   * halves (alternate files of each category, by name); on one half the threshold alone (for the
   * tuned set) or the setting of {@link #noveltyGrid()} and the threshold together are chosen, and
   * the other half is scored with that choice; both ways, the held-out halves summed.
   */
  @Test
  void crossValidatedNovelty() throws IOException {
    int n = corpus.files().size();
    List<List<Integer>> halves = halves();
    List<double[]> tuned = run(perFile().get("novelty (warm-up = probation)"));
    Map<String, List<double[]>> grid = new LinkedHashMap<>();
    noveltyGrid().forEach((name, make) -> grid.put(name, run(make)));
    double[] thresholdOnly = new double[n];
    double[] chosenThreshold = new double[n];
    List<double[]> chosen = new ArrayList<>(java.util.Collections.nCopies(n, (double[]) null));
    StringBuilder md = new StringBuilder();
    for (int h = 0; h < 2; h++) {
      List<Integer> train = halves.get(h);
      List<Integer> test = halves.get(1 - h);
      double t = sweep(train, tuned).threshold();
      String bestName = null;
      NabScorer.Sweep best = null;
      for (Map.Entry<String, List<double[]>> e : grid.entrySet()) {
        NabScorer.Sweep sw = sweep(train, e.getValue());
        if (best == null || sw.raw() > best.raw()) {
          best = sw;
          bestName = e.getKey();
        }
      }
      for (int i : test) {
        thresholdOnly[i] = t;
        chosen.set(i, grid.get(bestName).get(i));
        chosenThreshold[i] = best.threshold();
      }
      md.append(String.format(Locale.ROOT, "- chosen on half %s (%d files): tuned set's threshold %.4f; from the grid: %s,"
          + " threshold %.4f%n", h == 0 ? "A" : "B", train.size(), t, bestName, best.threshold()));
    }
    Map<String, Double> a = scoreAt(tuned, thresholdOnly);
    Map<String, Double> b = scoreAt(chosen, chosenThreshold);
    md.append("\n| held out | ").append(String.join(" | ", a.keySet())).append(" |\n|---|");
    md.append("---:|".repeat(a.size())).append('\n');
    for (Map.Entry<String, Map<String, Double>> row : Map.of("threshold chosen on the other half", a,
        "setting and threshold chosen on the other half", b).entrySet()) {
      md.append("| ").append(row.getKey()).append(" |");
      row.getValue().values().forEach(v -> md.append(String.format(Locale.ROOT, " %.1f |", v)));
      md.append('\n');
    }
    System.out.println(md);
    Path out = Path.of("target/evaluations/nab-cv.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, md, StandardCharsets.UTF_8);
    assertThat(a.get("overall")).isBetween(0.0, 100.0);
    assertThat(b.get("overall")).isBetween(0.0, 100.0);
  }

  /** Alternate files of each category (in name order): half A the 1st, 3rd, ...; half B the others. */
  static List<List<Integer>> halves() {
    List<Integer> a = new ArrayList<>();
    List<Integer> b = new ArrayList<>();
    Map<String, Integer> count = new TreeMap<>();
    for (int i = 0; i < corpus.files().size(); i++) {
      int k = count.merge(corpus.files().get(i).category(), 1, Integer::sum);
      (k % 2 == 1 ? a : b).add(i);
    }
    return List.of(a, b);
  }

  static NabScorer.Sweep sweep(List<Integer> files, List<double[]> scores) {
    return NabScorer.best(files.stream().map(labelled::get).toList(), files.stream().map(scores::get).toList(), P);
  }

  /** Normalised scores per category (raw FP cost where a category has no window) and overall, each file at its threshold. */
  static Map<String, Double> scoreAt(List<double[]> scores, double[] thresholds) {
    Map<String, double[]> byCategory = new TreeMap<>();
    double[] all = new double[3];
    for (int i = 0; i < labelled.size(); i++) {
      Labelled l = labelled.get(i);
      double raw = NabScorer.score(l, scores.get(i), thresholds[i], P);
      double[][] targets = {byCategory.computeIfAbsent(corpus.files().get(i).category(), k -> new double[3]), all};
      for (double[] t : targets) {
        t[0] += raw;
        t[1] += l.nullScore(P);
        t[2] += l.perfectScore(P);
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    byCategory.forEach((cat, c) -> out.put(cat, c[2] > c[1] ? NabScorer.normalised(c[0], c[1], c[2]) : c[0]));
    out.put("overall", NabScorer.normalised(all[0], all[1], all[2]));
    return out;
  }

  static List<double[]> run(Supplier<Detector> make) {
    return run(rows -> make.get());
  }

  static List<double[]> run(IntFunction<Detector> make) {
    List<double[]> scores = new ArrayList<>();
    for (NabFile f : corpus.files()) {
      Detector d = make.apply(f.values().length);
      double[] s = new double[f.values().length];
      for (int i = 0; i < s.length; i++) {
        s[i] = d.update(f.seconds()[i] * 1_000_000_000L, f.values()[i]);
      }
      scores.add(s);
    }
    return scores;
  }

  /**
   * Scores at the corpus' best threshold: normalised per category (those with windows), overall,
   * the threshold, and the raw cost of false positives on artificialNoAnomaly (no windows).
   */
  static Map<String, Double> table(String name, List<double[]> scores) {
    NabScorer.Sweep best = NabScorer.best(labelled, scores, P);
    Map<String, double[]> byCategory = new TreeMap<>();
    Map<String, int[]> counts = new TreeMap<>();
    double[] all = new double[3];
    for (int i = 0; i < labelled.size(); i++) {
      Labelled l = labelled.get(i);
      double raw = NabScorer.score(l, scores.get(i), best.threshold(), P);
      double[] c = byCategory.computeIfAbsent(corpus.files().get(i).category(), k -> new double[3]);
      int[] n = counts.computeIfAbsent(corpus.files().get(i).category(), k -> new int[3]);
      boolean[] hit = new boolean[l.windows()];
      for (int r = 0; r < l.rows(); r++) {
        if (scores.get(i)[r] >= best.threshold() && l.window()[r] != Labelled.PROBATION) {
          if (l.window()[r] >= 0) {
            hit[l.window()[r]] = true;
          } else {
            n[2]++;
          }
        }
      }
      for (boolean h : hit) {
        n[0] += h ? 1 : 0;
      }
      n[1] += l.scorableWindows();
      double[][] targets = {c, all};
      for (double[] t : targets) {
        t[0] += raw;
        t[1] += l.nullScore(P);
        t[2] += l.perfectScore(P);
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    byCategory.forEach((cat, c) -> out.put(cat, c[2] > c[1] ? NabScorer.normalised(c[0], c[1], c[2]) : c[0]));
    out.put("overall", NabScorer.normalised(all[0], all[1], all[2]));
    out.put("threshold", best.threshold());
    assertThat(all[0]).as(name).isCloseTo(best.raw(), within(1e-6));
    StringBuilder hits = new StringBuilder();
    counts.forEach((cat, n) -> hits.append(String.format(Locale.ROOT, " %s %d/%d windows, %d FP;", cat, n[0], n[1], n[2])));
    System.out.printf(Locale.ROOT, "%s: %s%n  hits:%s%n", name, out, hits);
    return out;
  }
}
