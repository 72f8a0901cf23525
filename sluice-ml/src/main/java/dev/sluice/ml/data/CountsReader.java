package dev.sluice.ml.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Reads a per-second count file (one non-negative integer per line, plain or gzip: the shipped
 * {@code data/nasa-http-1995-07.counts.gz}) into a {@link Series} with a one-second step. Line 1
 * is the second starting at {@code start}. A line that does not parse counts as bad and as zero
 * requests, so later lines keep their seconds. Stateless.
 */
public final class CountsReader {

  /** When the shipped NASA July 1995 trace starts: 1 July 1995 00:00:01 EDT. */
  public static final Instant NASA_JULY_1995_START = Instant.parse("1995-07-01T04:00:01Z");

  private CountsReader() {}

  /** Whether {@code firstLine} looks like a count file's first line. */
  public static boolean matches(String firstLine) {
    return !firstLine.isEmpty() && firstLine.chars().allMatch(Character::isDigit);
  }

  /** Reads {@code file}, its first line being the second that starts at {@code start}. */
  public static Read<Series> read(Path file, Instant start) throws IOException {
    String source = file.getFileName().toString();
    ReadReport.Builder report = new ReadReport.Builder(source);
    double[] values = new double[1 << 16];
    int n = 0;
    try (BufferedReader r = Lines.open(file)) {
      for (String line; (line = r.readLine()) != null;) {
        report.line();
        double v = 0;
        String s = line.strip();
        if (matches(s) && s.length() < 12) {
          v = Long.parseLong(s);
          report.accepted();
        } else {
          report.bad(report.lines(), "not a count (taken as 0)", line);
        }
        if (n == values.length) {
          values = java.util.Arrays.copyOf(values, n * 2);
        }
        values[n++] = v;
      }
    }
    String name = source.replaceFirst("\\.gz$", "").replaceFirst("\\.counts$", "");
    return new Read<>(new Series(name, start.getEpochSecond(), 1, java.util.Arrays.copyOf(values, n)),
        report.build());
  }
}
