package dev.sluice.ml.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code timestamp,value} series (NAB's format; an optional header line) into a regular
 * {@link Series}. Stateless.
 *
 * <p>Timestamps may be {@code yyyy-MM-dd HH:mm:ss[.fff]} (taken as UTC), ISO-8601 instants or
 * epoch seconds. The step is the most common positive difference between consecutive timestamps;
 * each point goes to the window nearest its time (a later point for the same window wins), and a
 * window with no point takes the previous window's value. Lines that do not parse are counted.
 */
public final class SeriesCsvReader {

  private SeriesCsvReader() {}

  /** Whether {@code firstLine} looks like a series' header or first point. */
  public static boolean matches(String firstLine) {
    String[] f = firstLine.split(",", -1);
    return f.length == 2 && (firstLine.equalsIgnoreCase("timestamp,value") || parse(f) != null);
  }

  /** Reads {@code file}; fails only when no two points are readable. */
  public static Read<Series> read(Path file) throws IOException {
    String source = file.getFileName().toString();
    ReadReport.Builder report = new ReadReport.Builder(source);
    List<double[]> points = new ArrayList<>();
    try (BufferedReader r = Lines.open(file)) {
      for (String line; (line = r.readLine()) != null;) {
        report.line();
        String[] f = line.strip().split(",", -1);
        if (report.lines() == 1 && f.length == 2 && parse(f) == null && !f[1].isBlank()
            && !Character.isDigit(f[1].strip().charAt(0))) {
          continue; // a header
        }
        double[] p = f.length == 2 ? parse(f) : null;
        if (p == null) {
          report.bad(report.lines(), f.length == 2 ? "unreadable time or value" : "expected 2 fields", line);
          continue;
        }
        points.add(p);
        report.accepted();
      }
    }
    if (points.size() < 2) {
      throw new IllegalArgumentException(source + ": " + points.size() + " readable points (expected: >= 2)");
    }
    points.sort((a, b) -> Double.compare(a[0], b[0]));
    long step = commonStep(points);
    long start = (long) points.getFirst()[0];
    int n = (int) Math.round((points.getLast()[0] - start) / step) + 1;
    double[] values = new double[n];
    boolean[] seen = new boolean[n];
    for (double[] p : points) {
      int i = (int) Math.round((p[0] - start) / step);
      values[i] = p[1];
      seen[i] = true;
    }
    for (int i = 1; i < n; i++) {
      if (!seen[i]) {
        values[i] = values[i - 1];
      }
    }
    String name = source.endsWith(".csv") ? source.substring(0, source.length() - 4) : source;
    return new Read<>(new Series(name, start, step, values), report.build());
  }

  private static long commonStep(List<double[]> points) {
    Map<Long, Integer> counts = new HashMap<>();
    for (int i = 1; i < points.size(); i++) {
      long d = Math.round(points.get(i)[0] - points.get(i - 1)[0]);
      if (d > 0) {
        counts.merge(d, 1, Integer::sum);
      }
    }
    long[] best = {1, -1};
    counts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      if (e.getValue() > best[1]) {
        best[0] = e.getKey();
        best[1] = e.getValue();
      }
    });
    return best[0];
  }

  /** {@code [epochSecond, value]}, or null when either does not parse or the value is not finite. */
  static double[] parse(String[] f) {
    String t = f[0].strip();
    String v = f[1].strip();
    try {
      double value = Double.parseDouble(v);
      if (!Double.isFinite(value)) {
        return null;
      }
      return new double[] {epochSeconds(t), value};
    } catch (NumberFormatException | DateTimeParseException e) {
      return null;
    }
  }

  private static double epochSeconds(String t) {
    if (!t.isEmpty() && Arrays.asList('1', '2', '3', '4', '5', '6', '7', '8', '9', '0').contains(t.charAt(0))
        && t.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
      return Double.parseDouble(t);
    }
    if (t.endsWith("Z") || t.contains("+")) {
      Instant i = Instant.parse(t.replace(' ', 'T'));
      return i.getEpochSecond() + i.getNano() / 1e9;
    }
    LocalDateTime d = LocalDateTime.parse(t, AzureTraceReader.TIME);
    return d.toEpochSecond(ZoneOffset.UTC) + d.getNano() / 1e9;
  }
}
