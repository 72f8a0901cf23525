package dev.sluice.cli.load;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * PNG charts of a load run (XChart), one panel above the other: requests per second by outcome,
 * latency percentiles from the intended send time, and, when Sluice's admin port was sampled, its
 * global refill rate and concurrency level.
 */
public final class LoadCharts {

  private LoadCharts() {}

  /** Returns the charts of {@code r} (and {@code samples}, may be empty) as one PNG. */
  public static byte[] png(String title, LoadResult r, List<MetricsSampler.Sample> samples) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<XYChart> charts = new ArrayList<>();
    double[] x = new double[r.seconds().size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    Map<String, double[]> rates = new LinkedHashMap<>();
    rates.put("sent/s", series(r, s -> s.counts().sent()));
    rates.put("2xx/s", series(r, s -> s.counts().ok()));
    rates.put("429/s", series(r, s -> s.counts().limited()));
    rates.put("5xx+errors/s", series(r, s -> s.counts().serverErrors() + s.counts().errors()));
    charts.add(chart(title + ": requests per second", "requests/s", x, rates));
    Map<String, double[]> lat = new LinkedHashMap<>();
    lat.put("p50", series(r, LoadResult.Second::p50Ms));
    lat.put("p95", series(r, LoadResult.Second::p95Ms));
    lat.put("p99", series(r, LoadResult.Second::p99Ms));
    charts.add(chart("latency from the intended send time", "ms", x, lat));
    if (!samples.isEmpty()) {
      double[] sx = samples.stream().mapToDouble(MetricsSampler.Sample::seconds).toArray();
      Map<String, double[]> sluice = new LinkedHashMap<>();
      sluice.put("refill rate (tokens/s)", samples.stream().mapToDouble(MetricsSampler.Sample::refillRate).toArray());
      XYChart c = chart("Sluice: global refill rate and concurrency level", "tokens/s", sx, sluice);
      double[] limit = samples.stream().mapToDouble(MetricsSampler.Sample::concurrencyLimit).toArray();
      if (java.util.Arrays.stream(limit).anyMatch(v -> !Double.isNaN(v))) {
        XYSeries s = c.addSeries("concurrency level (in flight)", sx, zeroNaN(limit));
        s.setYAxisGroup(1);
        c.setYAxisGroupTitle(1, "in flight");
      }
      charts.add(c);
    }
    return stack(charts);
  }

  private static double[] series(LoadResult r, ToDoubleFunction<LoadResult.Second> f) {
    return r.seconds().stream().mapToDouble(f).toArray();
  }

  private static double[] zeroNaN(double[] y) {
    double[] out = y.clone();
    for (int i = 0; i < out.length; i++) {
      if (Double.isNaN(out[i])) {
        out[i] = 0;
      }
    }
    return out;
  }

  private static XYChart chart(String title, String yTitle, double[] x, Map<String, double[]> series) {
    XYChart c = new XYChartBuilder().width(900).height(300).title(title).xAxisTitle("s").yAxisTitle(yTitle).build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setMarkerSize(0);
    c.getStyler().setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 13));
    double[] xs = x.length == 0 ? new double[] {0} : x;
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      double[] y = e.getValue().length == 0 ? new double[] {0} : zeroNaN(e.getValue());
      c.addSeries(e.getKey(), xs, y);
    }
    return c;
  }

  private static byte[] stack(List<XYChart> charts) throws IOException {
    int w = charts.get(0).getWidth();
    int h = charts.get(0).getHeight();
    BufferedImage out = new BufferedImage(w, h * charts.size(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, out.getWidth(), out.getHeight());
      for (int i = 0; i < charts.size(); i++) {
        g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), 0, i * h, null);
      }
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(out, "png", bytes);
    return bytes.toByteArray();
  }
}
