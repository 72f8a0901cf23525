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
    ReadReport.Builder report = new ReadReport.Builder(source);
    List<RequestEvent> events = new ArrayList<>();
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
      long bytes = m.group(5).equals("-") ? 0 : Long.parseLong(m.group(5));
      events.add(RequestEvent.access(millis, m.group(1), Integer.parseInt(m.group(4)), bytes));
      report.accepted();
    }
    return new Read<>(List.copyOf(events), report.build());
  }
}
