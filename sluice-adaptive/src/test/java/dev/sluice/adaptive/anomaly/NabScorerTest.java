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
}
