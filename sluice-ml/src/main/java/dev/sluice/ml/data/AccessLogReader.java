package dev.sluice.ml.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Apache/nginx access logs in the combined or the common log format ({@code host ident user
 * [dd/MMM/yyyy:HH:mm:ss Z] "request" status bytes ["referer" "agent"]}) into {@link RequestEvent}s;
 * the client is the host field. Stateless.
 */
public final class AccessLogReader {

  static final Pattern LINE = Pattern.compile(
      "^(\\S+) \\S+ \\S+ \\[([^\\]]+)\\] \"((?:[^\"\\\\]|\\\\.)*)\" (\\d{3}) (\\d+|-)(?: .*)?$");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

  private AccessLogReader() {}

  /** Whether {@code line} looks like an access log line. */
  public static boolean matches(String line) {
    return LINE.matcher(line).matches();
  }

  /** Reads every line of {@code file} (plain or gzip); bad lines are counted, never fatal. */
  public static Read<List<RequestEvent>> read(Path file) throws IOException {
    try (BufferedReader r = Lines.open(file)) {
      return read(r, file.getFileName().toString());
    }
  }

  /** Reads every line of {@code in}. */
  public static Read<List<RequestEvent>> read(BufferedReader in, String source) throws IOException {
    Read<List<Line>> lines = lines(in, source);
    List<RequestEvent> events = new ArrayList<>(lines.value().size());
    for (Line l : lines.value()) {
      events.add(RequestEvent.access(l.epochMillis(), l.host(), l.status(), l.bytes()));
    }
    return new Read<>(List.copyOf(events), lines.report());
  }

  /**
   * One access log line with its request parts.
   *
   * @param epochMillis the line's time, UTC milliseconds (the log's second resolution)
   * @param host the host field (the client address)
   * @param method the request's method, or the empty string when the request field has none
   * @param path the request's target (path and query), or the empty string when it has none
   * @param status the HTTP status
   * @param bytes response bytes (0 for {@code -})
   */
  public record Line(long epochMillis, String host, String method, String path, int status, long bytes) {}

  /** Reads every line of {@code file} (plain or gzip) with its request parts; bad lines are counted, never fatal. */
  public static Read<List<Line>> lines(Path file) throws IOException {
    try (BufferedReader r = Lines.open(file)) {
      return lines(r, file.getFileName().toString());
    }
  }

  /** Reads every line of {@code in} with its request parts. */
  public static Read<List<Line>> lines(BufferedReader in, String source) throws IOException {
    ReadReport.Builder report = new ReadReport.Builder(source);
    List<Line> out = new ArrayList<>();
    for (String line; (line = in.readLine()) != null;) {
      report.line();
      if (line.isBlank()) {
        report.bad(report.lines(), "blank line", line);
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        report.bad(report.lines(), "not an access log line", line);
        continue;
      }
      long millis;
      try {
        millis = OffsetDateTime.parse(m.group(2), TIME).toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        report.bad(report.lines(), "bad time " + m.group(2), line);
        continue;
      }
      String[] request = m.group(3).split(" ", 3);
      String method = request.length >= 2 ? request[0] : "";
      String target = request.length >= 2 ? request[1] : "";
      long bytes;
      try {
        bytes = m.group(5).equals("-") ? 0 : Long.parseLong(m.group(5));
      } catch (NumberFormatException e) {
        report.bad(report.lines(), "bad size " + m.group(5), line);
        continue;
      }
      out.add(new Line(millis, m.group(1), method, target, Integer.parseInt(m.group(4)), bytes));
      report.accepted();
    }
    return new Read<>(List.copyOf(out), report.build());
  }
}
