package dev.sluice.sim;

import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * the last phase its final rate holds. The seconds at which a constant phase begins are where the
 * load may step (see {@link Dynamics}).
 */
final class Profiles {

  private Profiles() {}

  /**
   * Returns the rate during each second, and adds to {@code constantStarts} the second at which
   * each constant ({@code rate:}) phase begins.
   */
  static double[] read(Fields f, Mapping source, String key, int seconds, double capacityRequests, double scale,
      Path dir, List<Integer> constantStarts) {
    double[] out = new double[seconds];
    List<YamlNode> list = f.list(source, key);
    int at = 0;
    double last = 0;
    for (int i = 0; i < list.size(); i++) {
      String p = source.path(key) + "[" + i + "]";
      Mapping m = f.map(p, list.get(i), source.line(key), List.of("for", "rate", "from", "to", "diurnal", "trace"));
      int len = (int) Math.round(f.millis(m, "for", 0) / 1000);
      if (len <= 0) {
        f.problem(m, "for", "a positive duration such as 30s");
        continue;
      }
      double[] seg = new double[len];
      if (m.fields().containsKey("rate")) {
        java.util.Arrays.fill(seg, rate(f, m, "rate", 0, capacityRequests, scale));
        if (at < seconds) {
          constantStarts.add(at);
        }
      } else if (m.fields().containsKey("from")) {
        double a = rate(f, m, "from", 0, capacityRequests, scale);
        double b = rate(f, m, "to", a, capacityRequests, scale);
        for (int k = 0; k < len; k++) {
          seg[k] = a + (b - a) * (k + 0.5) / len;
        }
      } else if (m.fields().containsKey("diurnal")) {
        diurnal(f, f.map(m, "diurnal", List.of("mean", "peak-to-mean", "period", "drift-per-hour")), seg,
            capacityRequests, scale);
      } else if (m.fields().containsKey("trace")) {
        trace(f, f.map(m, "trace", List.of("file", "start", "scale")), seg, scale, dir);
      } else {
        f.problem(p, list.get(i), source.line(key), "one of rate, from/to, diurnal or trace");
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

  private static double rate(Fields f, Mapping m, String key, double fallback, double cap, double scale) {
    return f.rate(m, key, fallback, cap) * ScenarioReader.rateScale(m.node(key), scale);
  }

  /** Returns the total length of the {@code phases}, in seconds (0 if none parse); reports nothing. */
  static int length(YamlNode phases) {
    int total = 0;
    Fields silent = new Fields(new Problems(""));
    for (YamlNode phase : Fields.absent(phases) || phases.kind() != YamlNode.Kind.LIST ? List.<YamlNode>of()
        : phases.items()) {
      if (phase.kind() == YamlNode.Kind.MAPPING) {
        total += (int) Math.round(silent.millis("", phase.fields().get("for"), 0) / 1000);
      }
    }
    return total;
  }

  private static void diurnal(Fields f, Mapping m, double[] seg, double cap, double scale) {
    double mean = rate(f, m, "mean", 0, cap, scale);
    double peak = f.number(m, "peak-to-mean", 3, 1, 50);
    double period = f.millis(m, "period", 86_400_000) / 1000;
    double drift = f.number(m, "drift-per-hour", 0, -1, 10);
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

  private static void trace(Fields fields, Mapping m, double[] seg, double absScale, Path dir) {
    String file = fields.string(m, "file", null);
    int start = (int) Math.round(fields.millis(m, "start", 0) / 1000);
    double scale = fields.number(m, "scale", 1, 0, 1e9) * absScale;
    if (file == null) {
      fields.problem(m, "file", "a file of per-second counts");
      return;
    }
    Path f = dir == null ? Path.of(file) : dir.resolve(file);
    try (InputStream in = TraceFiles.open(f)) {
      List<Double> values = TraceFiles.counts(in, start, seg.length, scale);
      if (values.isEmpty()) {
        fields.problem(m, "file", "at least one count after start");
        return;
      }
      for (int k = 0; k < seg.length; k++) {
        seg[k] = values.get(k % values.size());
      }
    } catch (IOException | NumberFormatException e) {
      fields.problem(m, "file", "a readable file of per-second counts (" + e.getMessage() + ")");
    }
  }
}
