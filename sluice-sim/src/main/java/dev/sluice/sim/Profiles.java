package dev.sluice.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Turns a source's {@code rate} phases into one request rate per second of the run. Phases:
 * <ul>
 *   <li>{@code {for: 30s, rate: R}} — constant;
 *   <li>{@code {for: 300s, from: R1, to: R2}} — linear ramp;
 *   <li>{@code {for: 1h, diurnal: {mean: R, peak-to-mean: 3, period: 20m, drift-per-hour: 0.2}}} —
 *       {@code mean * (1 + drift * hours) * exp(a cos(2 pi t / period)) / I0(a)}, with a chosen so
 *       the peak is {@code peak-to-mean} times the mean;
 *   <li>{@code {for: 10m, trace: {file: F, start: 0, scale: 1}}} — replay per-second counts from a
 *       text file (one number per line, optionally gzip), relative to the scenario file.
 * </ul>
 * Rates are {@code 500}, {@code 500/s} or {@code 2x} (times nominal capacity in requests). After
 * the last phase its final rate holds.
 */
final class Profiles {

  private Profiles() {}

  static double[] read(Tree t, String path, Object phases, int seconds, double capacityRequests, double scale,
      Path dir) {
    double[] out = new double[seconds];
    List<?> list = t.list(path, phases);
    int at = 0;
    double last = 0;
    for (int i = 0; i < list.size(); i++) {
      String p = path + "[" + i + "]";
      Map<String, Object> m = t.map(p, list.get(i), Set.of("for", "rate", "from", "to", "diurnal", "trace"));
      int len = (int) Math.round(t.millis(p + ".for", m.get("for"), 0) / 1000);
      if (len <= 0) {
        t.problem(p + ".for", m.get("for"), "a positive duration such as 30s");
        continue;
      }
      double[] seg = new double[len];
      if (m.containsKey("rate")) {
        java.util.Arrays.fill(seg, rate(t, p + ".rate", m.get("rate"), 0, capacityRequests, scale));
      } else if (m.containsKey("from")) {
        double a = rate(t, p + ".from", m.get("from"), 0, capacityRequests, scale);
        double b = rate(t, p + ".to", m.get("to"), a, capacityRequests, scale);
        for (int k = 0; k < len; k++) {
          seg[k] = a + (b - a) * (k + 0.5) / len;
        }
      } else if (m.containsKey("diurnal")) {
        diurnal(t, p + ".diurnal", m.get("diurnal"), seg, capacityRequests, scale);
      } else if (m.containsKey("trace")) {
        trace(t, p + ".trace", m.get("trace"), seg, scale, dir);
      } else {
        t.problem(p, m, "one of rate, from/to, diurnal or trace");
      }
      for (int k = 0; k < len && at < seconds; k++) {
        out[at++] = seg[k];
      }
      last = seg[len - 1];
    }
    while (at < seconds) {
      out[at++] = last;
    }
    return out;
  }

  private static double rate(Tree t, String p, Object v, double fallback, double cap, double scale) {
    return t.rate(p, v, fallback, cap) * ScenarioReader.rateScale(v, scale);
  }

  /** Returns the total length of the phases, in seconds (0 if none parse). */
  static int length(Tree t, String path, Object phases) {
    int total = 0;
    for (Object o : t.list(path, phases)) {
      if (o instanceof Map<?, ?> m && m.get("for") != null) {
        total += (int) Math.round(new Tree().millis("", m.get("for"), 0) / 1000);
      }
    }
    return total;
  }

  private static void diurnal(Tree t, String p, Object v, double[] seg, double cap, double scale) {
    Map<String, Object> m = t.map(p, v, Set.of("mean", "peak-to-mean", "period", "drift-per-hour"));
    double mean = rate(t, p + ".mean", m.get("mean"), 0, cap, scale);
    double peak = t.number(p + ".peak-to-mean", m.get("peak-to-mean"), 3, 1, 50);
    double period = t.millis(p + ".period", m.get("period"), 86_400_000) / 1000;
    double drift = t.number(p + ".drift-per-hour", m.get("drift-per-hour"), 0, -1, 10);
    double a = solveShape(peak);
    double norm = besselI0(a);
    for (int k = 0; k < seg.length; k++) {
      double s = k + 0.5;
      seg[k] = mean * (1 + drift * s / 3600) * Math.exp(a * Math.cos(2 * Math.PI * s / period)) / norm;
    }
  }

  /** Finds a with exp(a) / I0(a) = peak (monotone in a), by bisection. */
  static double solveShape(double peak) {
    double lo = 0;
    double hi = 50;
    for (int i = 0; i < 200; i++) {
      double mid = (lo + hi) / 2;
      if (Math.exp(mid) / besselI0(mid) < peak) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }

  static double besselI0(double x) {
    double sum = 1;
    double term = 1;
    for (int k = 1; k < 200; k++) {
      term *= (x / (2 * k)) * (x / (2 * k));
      sum += term;
      if (term < 1e-17 * sum) {
        break;
      }
    }
    return sum;
  }

  private static void trace(Tree t, String p, Object v, double[] seg, double absScale, Path dir) {
    Map<String, Object> m = t.map(p, v, Set.of("file", "start", "scale"));
    String file = t.string(p + ".file", m.get("file"), null);
    int start = (int) Math.round(t.millis(p + ".start", m.get("start"), 0) / 1000);
    double scale = t.number(p + ".scale", m.get("scale"), 1, 0, 1e9) * absScale;
    if (file == null) {
      t.problem(p + ".file", null, "a file of per-second counts");
      return;
    }
    Path f = dir == null ? Path.of(file) : dir.resolve(file);
    try (InputStream in = TraceFiles.open(f)) {
      List<Double> values = TraceFiles.counts(in, start, seg.length, scale);
      if (values.isEmpty()) {
        t.problem(p + ".file", file, "at least one count after start");
        return;
      }
      for (int k = 0; k < seg.length; k++) {
        seg[k] = values.get(k % values.size());
      }
    } catch (IOException | NumberFormatException e) {
      t.problem(p + ".file", file, "a readable file of per-second counts (" + e.getMessage() + ")");
    }
  }
}
