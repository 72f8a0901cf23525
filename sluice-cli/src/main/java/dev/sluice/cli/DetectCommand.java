package dev.sluice.cli;

import dev.sluice.adaptive.anomaly.Detector;
import dev.sluice.adaptive.anomaly.Detectors;
import dev.sluice.ml.data.Read;
import dev.sluice.ml.data.Series;
import dev.sluice.ml.data.SeriesInputs;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice detect --input SERIES.csv [--detector NAME] [--threshold T] --out SCORES.csv}:
 * streams a series through an anomaly detector and writes {@code timestamp,value,score} and a PNG
 * of the series with its flagged windows beside it.
 */
@Command(
    name = "detect",
    mixinStandardHelpOptions = true,
    description = {
      "Streams a series window by window through an anomaly detector and writes timestamp,value,score"
          + " (score in [0, 1]), a PNG of the series with the windows scoring >= the threshold marked, and a"
          + " summary of the flagged windows.",
      "The input is recognised from its first line as for 'sluice forecast': a timestamp,value CSV, one"
          + " count per line, a Sluice request log, an access log or an Azure LLM trace (logs: counts per minute)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the scores were written", "2:bad input, option or output file"})
final class DetectCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--input", required = true, paramLabel = "SERIES.csv", description = "The series.")
  private Path input;

  @Option(names = "--detector", defaultValue = "auto", paramLabel = "NAME",
      description = "auto (the maximum of spike and cusum), spike, cusum, page-hinkley, multiscale (tuned"
          + " on NAB: spikes at three scales and cusum, each alarm reported once per 300 windows) or novelty"
          + " (tuned on NAB: how unlike every learned shape of the recent history the last windows are; the first"
          + " min(15 %, 750) windows only learn; default: auto).")
  private String detector;

  @Option(names = "--threshold", defaultValue = "0.5", paramLabel = "T",
      description = "Scores at or above T are flagged (default: 0.5, each detector's own alarm line).")
  private double threshold;

  @Option(names = "--out", defaultValue = "scores.csv", paramLabel = "SCORES.csv",
      description = "The scores (default: scores.csv); the chart goes beside it as SCORES.png.")
  private Path out;

  @Override
  public Integer call() {
    return UsageError.exitCode(spec, "detect", this::run);
  }

  private int run(PrintWriter stdout) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new UsageError("--threshold: " + threshold + " (expected: > 0 and <= 1)");
    }
    try {
      Detectors.of(detector);
    } catch (IllegalArgumentException e) {
      throw new UsageError("--" + e.getMessage());
    }
    UsageError.requireWritableFile("--out", out);
    UsageError.requireFile("--input", input);
    Read<Series> read;
    double[] scores;
    try (ProgressBar bar = new ProgressBarBuilder().setTaskName("detect").setInitialMax(3)
        .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
        .setUpdateIntervalMillis(250).build()) {
      bar.setExtraMessage("read " + input);
      try {
        read = SeriesInputs.read(input, 0, null, SeriesInputs.Measure.REQUESTS);
      } catch (NoSuchFileException e) {
        throw new UsageError("--input " + input + ": no such file");
      } catch (IOException e) {
        throw new UsageError("--input " + input + ": cannot read: " + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new UsageError("--input " + e.getMessage());
      }
      bar.step();
      bar.setExtraMessage("score with " + detector);
      Series s = read.value();
      double[] v = s.values();
      Detector d = Detectors.of(detector, v.length);
      scores = new double[v.length];
      for (int i = 0; i < v.length; i++) {
        scores[i] = d.update(Math.multiplyExact(s.epochSecond(i), 1_000_000_000L), v[i]);
      }
      bar.step();
      bar.setExtraMessage("write " + out);
      try {
        writeCsv(s, scores, out);
        writeChart(s, scores, threshold, detector, chartPath(out));
      } catch (IOException e) {
        throw new UsageError("--out " + out + ": cannot write: " + e.getMessage());
      }
      bar.step();
    }
    Series s = read.value();
    stdout.println(read.report().summary());
    List<Integer> flagged = IntStream.range(0, scores.length).filter(i -> scores[i] >= threshold).boxed().toList();
    stdout.println(String.format(Locale.ROOT, "%s: %d windows of %d s from %s; %s: %d flagged (score >= %s)",
        s.name(), s.size(), s.stepSeconds(), s.instant(0), detector, flagged.size(), num(threshold)));
    for (int i : flagged.subList(0, Math.min(10, flagged.size()))) {
      stdout.println(String.format(Locale.ROOT, "  %s value %s score %.3f", s.instant(i), num(s.values()[i]),
          scores[i]));
    }
    if (flagged.size() > 10) {
      stdout.println("  ... " + (flagged.size() - 10) + " more in " + out);
    }
    stdout.println("wrote " + out + " and " + chartPath(out));
    return CommandLine.ExitCode.OK;
  }

  static void writeCsv(Series s, double[] scores, Path file) throws IOException {
    double[] v = s.values();
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("timestamp,value,score");
      w.newLine();
      for (int i = 0; i < v.length; i++) {
        w.write(s.instant(i) + "," + num(v[i]) + "," + String.format(Locale.ROOT, "%.4f", scores[i]));
        w.newLine();
      }
    }
  }

  static void writeChart(Series s, double[] scores, double threshold, String detector, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    double[] v = s.values();
    List<Date> x = IntStream.range(0, v.length).mapToObj(i -> Date.from(s.instant(i))).toList();
    List<Date> fx = new ArrayList<>();
    List<Double> fy = new ArrayList<>();
    for (int i = 0; i < v.length; i++) {
      if (scores[i] >= threshold) {
        fx.add(x.get(i));
        fy.add(v[i]);
      }
    }
    XYChart c = new XYChartBuilder().width(1200).height(420)
        .title(String.format(Locale.ROOT, "%s, %s: %d of %d windows flagged (score >= %s)", s.name(), detector,
            fx.size(), v.length, num(threshold)))
        .xAxisTitle("UTC").yAxisTitle("per " + s.stepSeconds() + " s").build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    c.getStyler().setDatePattern(v.length * s.stepSeconds() > 3 * 86_400 ? "MM-dd" : "HH:mm");
    XYSeries a = c.addSeries("value", x, java.util.Arrays.stream(v).boxed().toList());
    a.setMarker(SeriesMarkers.NONE);
    a.setLineColor(java.awt.Color.DARK_GRAY);
    if (!fx.isEmpty()) {
      XYSeries f = c.addSeries("flagged", fx, fy);
      f.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      f.setMarker(SeriesMarkers.CIRCLE);
      f.setMarkerColor(new java.awt.Color(220, 40, 40));
    }
    BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** {@code SCORES.png} beside {@code SCORES.csv}. */
  static Path chartPath(Path csv) {
    String name = csv.getFileName().toString();
    String stem = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
    return csv.resolveSibling(stem + ".png");
  }

  private static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "");
  }
}
