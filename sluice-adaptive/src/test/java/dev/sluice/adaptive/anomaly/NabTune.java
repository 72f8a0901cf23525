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
  /** spec: parts joined by '+': nov/vig/lr/cap/b/c[/b/c..], ms (multiscale spikes k11), cusum; then ';hold' fraction of probation. */
  static Detector build(String spec, int w) {
    String[] top = spec.split(";");
    List<Detector> parts = new ArrayList<>();
    for (String part : top[0].split("\\+")) {
      String[] p = part.split("/");
      switch (p[0]) {
        case "nov" -> {
          int[] scales = new int[p.length - 5];
          for (int i = 5; i < p.length; i++) scales[i - 5] = Integer.parseInt(p[i]);
          parts.add(NoveltyDetector.of(new NoveltyDetector.Settings(w, scales, Double.parseDouble(p[1]),
              Double.parseDouble(p[2]), Integer.parseInt(p[3]), (int) (Double.parseDouble(top[1]) * w))));
        }
        case "ms" -> parts.addAll(NabEvaluation.spikes());
        case "cusum" -> parts.add(CusumDetector.of(0.5, 15, 0.1));
        default -> throw new IllegalArgumentException(part);
      }
    }
    double grace = Double.parseDouble(System.getProperty("grace", "0"));
    if (parts.size() == 1 && grace > 0) {
      Detector in = parts.get(0);
      int g = (int) (grace * w);
      return new Detector() {
        int n;
        public double update(long t, double v) { double s = in.update(t, v); n++; return n > w && n <= w + g ? 0 : s; }
        public AnomalyKind kind() { return in.kind(); }
        public Detector copy() { throw new UnsupportedOperationException(); }
      };
    }
    if (parts.size() == 1) return parts.get(0);
    Detector d = CombinedDetector.of(CombinedDetector.Rule.MAX, parts);
    return HoldOffDetector.of(d, (int) (Double.parseDouble(top[1]) * w));
  }

  public static void main(String[] a) throws Exception {
    NabEvaluation.corpus = NabCorpus.read(Path.of("/work/shared/data/nab"));
    NabEvaluation.labelled = NabEvaluation.corpus.files().stream()
        .map(f -> NabScorer.label(f.values().length, f.windows(), NabScorer.Profile.STANDARD)).toList();
    for (String spec : a) {
      IntFunction<Detector> make = n -> build(spec, NabScorer.probationaryLength(n));
      List<double[]> scores = new ArrayList<>();
      for (NabFile f : NabEvaluation.corpus.files()) {
        Detector d = make.apply(f.values().length);
        double[] s = new double[f.values().length];
        for (int i = 0; i < s.length; i++) s[i] = d.update(f.seconds()[i] * 1_000_000_000L, f.values()[i]);
        scores.add(s);
      }
      Map<String, Double> t = NabEvaluation.table(spec, scores);
      if (System.getProperty("files") != null) {
        double th = t.get("threshold");
        for (int f = 0; f < scores.size(); f++) {
          NabScorer.Labelled l = NabEvaluation.labelled.get(f);
          StringBuilder sb = new StringBuilder();
          int fp = 0;
          for (int r = 0; r < l.rows(); r++) {
            if (scores.get(f)[r] >= th && l.window()[r] != NabScorer.Labelled.PROBATION) {
              if (l.window()[r] >= 0) sb.append(String.format(Locale.ROOT, " W%d@%.2f", l.window()[r], l.weighted()[r]));
              else { fp++; sb.append(String.format(Locale.ROOT, " fp%d(%.2f)", r, l.weighted()[r])); }
            }
          }
          System.out.printf(Locale.ROOT, "FILE %-60s win %d raw %.2f fp %d :%s%n", NabEvaluation.corpus.files().get(f).key(), l.windows(),
              NabScorer.score(l, scores.get(f), th, NabScorer.Profile.STANDARD), fp, sb.length() > 300 ? sb.substring(0, 300) : sb);
        }
      }
      System.out.printf(Locale.ROOT, "RESULT %s overall %.1f%n", spec, t.get("overall"));
    }
  }
}
