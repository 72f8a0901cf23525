package dev.sluice.ml.forecast;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes a backtest's test part: {@code timestamp,actual,predicted,lower,upper} CSV and a PNG of
 * forecast vs actual with the 90 % band (XChart, as the simulator's reports). Stateless.
 */
public final class ForecastOutput {

  /** The CSV header. */
  public static final String HEADER = "timestamp,actual,predicted,lower,upper";

  private ForecastOutput() {}

  /** Writes the CSV: one line per test window, ISO-8601 UTC timestamps (window starts). */
  public static void writeCsv(BacktestResult r, Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(HEADER);
      w.newLine();
      for (int i = 0; i < r.predicted().length; i++) {
        w.write(r.series().instant(r.trainEnd() + i) + "," + num(r.actual(i)) + "," + num(r.predicted()[i]) + ","
            + num(r.lower()[i]) + "," + num(r.upper()[i]));
        w.newLine();
      }
    }
  }

  /** Writes the PNG: actual, predicted and the interval's bounds over the test part. */
  public static void writeChart(BacktestResult r, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int n = r.predicted().length;
    List<Date> x = IntStream.range(0, n).mapToObj(i -> Date.from(r.series().instant(r.trainEnd() + i))).toList();
    List<Double> actual = IntStream.range(0, n).mapToObj(r::actual).toList();
    Metrics m = r.metrics();
    XYChart c = new XYChartBuilder().width(1200).height(420)
        .title(String.format(Locale.ROOT, "%s, %s: MASE %.3f, sMAPE %.1f %%, 90 %% coverage %.1f %%",
            r.series().name(), r.model(), m.mase(), m.smape(), m.coverage()))
        .xAxisTitle("UTC").yAxisTitle("per " + r.series().stepSeconds() + " s").build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    c.getStyler().setDatePattern(n * r.series().stepSeconds() > 3 * 86_400 ? "MM-dd" : "HH:mm");
    add(c, "upper (90 %)", x, r.upper(), new java.awt.Color(180, 200, 230));
    add(c, "lower (90 %)", x, r.lower(), new java.awt.Color(180, 200, 230));
    XYSeries a = c.addSeries("actual", x, actual);
    a.setMarker(SeriesMarkers.NONE);
    a.setLineColor(java.awt.Color.DARK_GRAY);
    add(c, "predicted", x, r.predicted(), new java.awt.Color(220, 80, 40));
    BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** {@code PRED.png} beside {@code PRED.csv} (or {@code FILE.png} beside any other name). */
  public static Path chartPath(Path csv) {
    String name = csv.getFileName().toString();
    String stem = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
    return csv.resolveSibling(stem + ".png");
  }

  private static void add(XYChart c, String name, List<Date> x, double[] y, java.awt.Color color) {
    XYSeries s = c.addSeries(name, x, java.util.Arrays.stream(y).boxed().toList());
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
  }

  private static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
