package dev.sluice.sim;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's PNG charts (XChart), each a grid with one panel per policy side by side, drawn from
 * the first seed's run: offered vs admitted vs capacity vs ideal, latency percentiles, and the
 * refill rate (for a peer, whose gate bounds requests in flight instead, its in-flight limit).
 */
final class Charts {

  /** File name and title of each chart. */
  static final List<String[]> FILES = List.of(
      new String[] {"throughput.png", "Offered vs admitted vs capacity vs ideal (tokens/s)"},
      new String[] {"latency.png", "Latency percentiles of admitted requests (ms)"},
      new String[] {"refill.png", "Refill rate (tokens/s); for netflix-* peers, the in-flight limit (requests)"});

  private Charts() {}

  static void write(ExperimentResult r, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int n = r.policies().size();
    int cols = Math.min(3, n);
    int rows = (n + cols - 1) / cols;
    List<XYChart> throughput = new ArrayList<>();
    List<XYChart> latency = new ArrayList<>();
    List<XYChart> refill = new ArrayList<>();
    for (String p : r.policies()) {
      Map<String, double[]> s = r.runs().get(p).get(0).series();
      double[] x = seconds(s.get("capacity").length);
      throughput.add(chart(p, "tokens/s", x, s, "offered_tokens", "admitted_tokens", "capacity", "ideal_tokens"));
      latency.add(chart(p, "ms", x, s, "p50_ms", "p95_ms", "p99_ms"));
      refill.add(Peers.is(p) ? chart(p + " (in-flight limit)", "requests", x, s, "inflight_limit")
          : chart(p, "tokens/s", x, s, "refill_rate", "capacity"));
    }
    grid(throughput, rows, cols, dir.resolve(FILES.get(0)[0]));
    grid(latency, rows, cols, dir.resolve(FILES.get(1)[0]));
    grid(refill, rows, cols, dir.resolve(FILES.get(2)[0]));
  }

  /**
   * Draws {@code charts} row by row into a {@code rows} × {@code cols} grid, leaving the cells
   * after the last chart white, and writes it as a PNG. (XChart's own grid writer requires a full
   * grid: with 4 or 5 charts in 2 × 3 cells it fails with an IndexOutOfBoundsException.)
   */
  static void grid(List<XYChart> charts, int rows, int cols, Path file) throws IOException {
    int w = charts.get(0).getWidth();
    int h = charts.get(0).getHeight();
    BufferedImage out = new BufferedImage(cols * w, rows * h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, out.getWidth(), out.getHeight());
      for (int i = 0; i < charts.size(); i++) {
        g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), (i % cols) * w, (i / cols) * h, null);
      }
    } finally {
      g.dispose();
    }
    ImageIO.write(out, "png", file.toFile());
  }

  private static double[] seconds(int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = i;
    }
    return x;
  }

  private static XYChart chart(String title, String yTitle, double[] x, Map<String, double[]> s, String... names) {
    XYChart c = new XYChartBuilder().width(520).height(340).title(title).xAxisTitle("s").yAxisTitle(yTitle).build();
    c.getStyler().setXAxisTickMarkSpacingHint(90);
    c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    c.getStyler().setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 13));
    for (String name : names) {
      double[] y = s.get(name).clone();
      for (int i = 0; i < y.length; i++) {
        if (Double.isNaN(y[i])) {
          y[i] = 0;
        }
      }
      XYSeries series = c.addSeries(name, x, y);
      series.setMarker(SeriesMarkers.NONE);
    }
    return c;
  }
}
