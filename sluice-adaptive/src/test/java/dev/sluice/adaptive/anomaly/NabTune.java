package dev.sluice.adaptive.anomaly;

import dev.sluice.adaptive.anomaly.NabCorpus.NabFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/** Scratch tuner. */
final class NabTune {
  public static void main(String[] a) throws Exception {
    NabEvaluation.corpus = NabCorpus.read(Path.of("/work/shared/data/nab"));
    NabEvaluation.labelled = NabEvaluation.corpus.files().stream()
        .map(f -> NabScorer.label(f.values().length, f.windows(), NabScorer.Profile.STANDARD)).toList();
    for (String spec : a) {
      String[] p = spec.split(",");
      double vig = Double.parseDouble(p[0]);
      double lr = Double.parseDouble(p[1]);
      int cap = Integer.parseInt(p[2]);
      double hold = Double.parseDouble(p[3]);
      int[] scales = new int[p.length - 4];
      for (int i = 4; i < p.length; i++) scales[i - 4] = Integer.parseInt(p[i]);
      IntFunction<Detector> make = n -> {
        int w = NabScorer.probationaryLength(n);
        return NoveltyDetector.of(new NoveltyDetector.Settings(w, scales, vig, lr, cap, (int) (hold * w)));
      };
      List<double[]> scores = new ArrayList<>();
      for (NabFile f : NabEvaluation.corpus.files()) {
        Detector d = make.apply(f.values().length);
        double[] s = new double[f.values().length];
        for (int i = 0; i < s.length; i++) s[i] = d.update(f.seconds()[i] * 1_000_000_000L, f.values()[i]);
        scores.add(s);
      }
      Map<String, Double> t = NabEvaluation.table(spec, scores);
      System.out.printf(Locale.ROOT, "RESULT %s overall %.1f%n", spec, t.get("overall"));
    }
  }
}
