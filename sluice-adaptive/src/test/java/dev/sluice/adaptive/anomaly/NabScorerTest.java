package dev.sluice.adaptive.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.adaptive.anomaly.NabScorer.Labelled;
import dev.sluice.adaptive.anomaly.NabScorer.Profile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The NAB scoring rules on a hand-made file: 1,000 rows, windows at rows 400–449 and 700–749. */
class NabScorerTest {

  static final Profile P = Profile.STANDARD;
  static final Labelled FILE = NabScorer.label(1000, List.of(new int[] {400, 449}, new int[] {700, 749}), P);

  static double[] detectAt(int... rows) {
    double[] s = new double[1000];
    for (int r : rows) {
      s[r] = 1;
    }
    return s;
  }

  @Test
  void thePerfectDetectorScores100AndTheNullDetector0() {
    double nullScore = FILE.nullScore(P);
    double perfect = FILE.perfectScore(P);
    assertThat(nullScore).isEqualTo(-2);
    assertThat(perfect).isEqualTo(2);
    double raw = NabScorer.score(FILE, detectAt(400, 700), 0.5, P);
    assertThat(NabScorer.normalised(raw, nullScore, perfect)).isCloseTo(100, within(1e-9));
    assertThat(NabScorer.normalised(NabScorer.score(FILE, detectAt(), 0.5, P), nullScore, perfect)).isZero();
  }

  @Test
  void earlinessFalsePositivesAndProbation() {
    // Last row of a window: σ̃(−1/50) / σ̃(−1).
    double late = (2 / (1 + Math.exp(-0.1)) - 1) / (2 / (1 + Math.exp(-5)) - 1);
    assertThat(NabScorer.score(FILE, detectAt(449, 700), 0.5, P)).isCloseTo(1 + late, within(1e-12));
    // Only the best detection of a window counts.
    assertThat(NabScorer.score(FILE, detectAt(400, 420, 449, 700), 0.5, P)).isCloseTo(2, within(1e-12));
    // Before the first window: −A_FP; just after a window: nearly nothing; three widths on: −A_FP.
    assertThat(NabScorer.score(FILE, detectAt(300), 0.5, P)).isCloseTo(-2 - 0.11, within(1e-12));
    double justAfter = (2 / (1 + Math.exp(-5.0 / 49)) - 1) * -0.11;
    assertThat(NabScorer.score(FILE, detectAt(450), 0.5, P)).isCloseTo(-2 + justAfter, within(1e-12));
    assertThat(NabScorer.score(FILE, detectAt(620), 0.5, P)).isCloseTo(-2 - 0.11, within(1e-12));
    // Probationary rows (the first 150) never count.
    assertThat(NabScorer.probationaryLength(1000)).isEqualTo(150);
    assertThat(NabScorer.probationaryLength(22_000)).isEqualTo(750);
    assertThat(NabScorer.score(FILE, detectAt(10, 149), 0.5, P)).isEqualTo(-2);
  }

  @Test
  void theSweepPicksTheBestThresholdForTheWholeCorpus() {
    double[] s = new double[1000];
    s[400] = 0.9; // a hit
    s[300] = 0.8; // a false positive
    s[700] = 0.7; // a hit, behind the false positive
    NabScorer.Sweep best = NabScorer.best(List.of(FILE), List.of(s), P);
    assertThat(best.threshold()).isEqualTo(0.7);
    assertThat(best.raw()).isCloseTo(2 - 0.11, within(1e-12));
    assertThat(best.raw()).isCloseTo(NabScorer.score(FILE, s, best.threshold(), P), within(1e-12));
  }

  @Test
  void windowsJsonParses() {
    Map<String, List<String[]>> w = NabCorpus.windows("{\"a/x.csv\": [], \"b/y.csv\": [\n [\n"
        + " \"2014-02-19 10:50:00.000000\",\n \"2014-02-20 03:30:00.000000\"\n ]\n ]}");
    assertThat(w.get("a/x.csv")).isEmpty();
    assertThat(w.get("b/y.csv")).hasSize(1);
    assertThat(NabCorpus.seconds(w.get("b/y.csv").getFirst()[1])).isEqualTo(1392867000L);
  }

  @Test
  void theScaledSigmoidAtKnownPoints() {
    assertThat(NabScorer.scaledSigmoid(0)).isZero();
    assertThat(NabScorer.scaledSigmoid(-1)).isCloseTo(0.98661429815, within(1e-10));
    assertThat(NabScorer.scaledSigmoid(1)).isCloseTo(-0.98661429815, within(1e-10));
    assertThat(NabScorer.scaledSigmoid(3.0)).isCloseTo(2 / (1 + Math.exp(15)) - 1, within(1e-15));
    assertThat(NabScorer.scaledSigmoid(3.0001)).isEqualTo(-1);
  }

  @Test
  void aWindowPartlyInProbationCountsItsLaterRowsAndOneWhollyInProbationOnlyTheDenominator() {
    // 1,000 rows: probation 150. Window 0 (rows 20–60) lies wholly in probation, window 1 (140–189)
    // straddles its end, window 2 (600–649) is after it.
    Labelled f = NabScorer.label(1000, List.of(new int[] {20, 60}, new int[] {140, 189}, new int[] {600, 649}), P);
    assertThat(f.windows()).isEqualTo(3);
    assertThat(f.scorableWindows()).isEqualTo(2);
    assertThat(f.nullScore(P)).isEqualTo(-2);
    assertThat(f.perfectScore(P)).isEqualTo(3);
    // A detection at row 140 is in probation: window 1 is still missed.
    assertThat(NabScorer.score(f, detectAt(20, 140, 600), 0.5, P)).isCloseTo(-1 + 1, within(1e-12));
    // At row 150, its first scored row: σ̃(−(189 − 150 + 1)/50) / σ̃(−1).
    double w150 = NabScorer.scaledSigmoid(-40.0 / 50) / NabScorer.scaledSigmoid(-1);
    assertThat(NabScorer.score(f, detectAt(150, 600), 0.5, P)).isCloseTo(w150 + 1, within(1e-12));
    // The perfect detector (first row of every window) cannot reach 100 here: window 0 is lost to probation.
    double raw = NabScorer.score(f, detectAt(20, 140, 600), 0.5, P);
    assertThat(NabScorer.normalised(raw, f.nullScore(P), f.perfectScore(P))).isCloseTo(100 * 2.0 / 5, within(1e-9));
  }

  @Test
  void falsePositivesAfterTheLastWindowAreWeightedByItAndBetweenWindowsByThePreviousOne() {
    // FILE: windows 400–449 (w 50) and 700–749 (w 50). Row 500: 51 rows after window 0's end;
    // row 800: 51 rows after window 1's end; both σ̃(51/49)·0.11.
    double u = NabScorer.scaledSigmoid(51.0 / 49) * 0.11;
    assertThat(NabScorer.score(FILE, detectAt(500), 0.5, P)).isCloseTo(-2 + u, within(1e-12));
    assertThat(NabScorer.score(FILE, detectAt(800), 0.5, P)).isCloseTo(-2 + u, within(1e-12));
    assertThat(NabScorer.score(FILE, detectAt(999), 0.5, P)).isCloseTo(-2 - 0.11, within(1e-12));
  }

  @Test
  void theSweepAddsFilesUpAndKeepsOneThreshold() {
    Labelled other = NabScorer.label(1000, List.of(new int[] {500, 549}), P);
    double[] a = new double[1000];
    double[] b = new double[1000];
    a[400] = 0.6; // hit in FILE
    a[700] = 0.6; // hit in FILE
    b[300] = 0.9; // false positive in the other file, above both hits
    b[500] = 0.6; // hit in the other file
    // At 0.6 everything counts: three hits, one false positive before the first window.
    NabScorer.Sweep best = NabScorer.best(List.of(FILE, other), List.of(a, b), P);
    assertThat(best.threshold()).isEqualTo(0.6);
    assertThat(best.raw()).isCloseTo(3 - 0.11, within(1e-12));
    // A lone false positive and no hit: the best is to detect nothing (threshold 1.1), the null score.
    double[] lone = new double[1000];
    lone[300] = 0.9;
    NabScorer.Sweep none = NabScorer.best(List.of(FILE, other), List.of(new double[1000], lone), P);
    assertThat(none.threshold()).isEqualTo(1.1);
    assertThat(none.raw()).isEqualTo(-3);
  }
}
