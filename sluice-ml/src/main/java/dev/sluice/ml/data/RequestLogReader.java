package dev.sluice.ml.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Sluice's request log (JSON Lines, {@code docs/request-log.md}) into {@link RequestEvent}s.
 * Stateless.
 *
 * <p>Every line must carry an integer {@code v}. Version 1 is read as documented. A higher version
 * is accepted when the fields this reader knows parse with their version-1 types (it is counted in
 * {@link ReadReport#newerVersion()}); fields it does not know (version 2's {@code decisionId},
 * {@code policy}, {@code modelVersion}, ...) are ignored, and {@code burst} is read when present.
 * A line without {@code v}, with an unparsable known field, or that is not JSON is skipped and
 * counted.
 */
public final class RequestLogReader {

  /** The newest schema version this reader knows field by field. */
  public static final int KNOWN_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private RequestLogReader() {}

  /** Reads every line of {@code file} (plain or gzip). */
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
      try {
        JsonNode n = JSON.readTree(line);
        if (n == null || !n.isObject()) {
          report.bad(report.lines(), "not a JSON object", line);
          continue;
        }
        JsonNode v = n.get("v");
        if (v == null || !v.isIntegralNumber() || v.asLong() < 1) {
          report.bad(report.lines(), "v: " + v + " (expected: a schema version >= 1)", line);
          continue;
        }
        events.add(event(n));
        if (v.asLong() > KNOWN_VERSION) {
          report.newerVersion();
        }
        report.accepted();
      } catch (JsonProcessingException e) {
        report.bad(report.lines(), "not JSON (partial line?)", line);
      } catch (IllegalArgumentException | DateTimeParseException e) {
        report.bad(report.lines(), e.getMessage(), line);
      }
    }
    return new Read<>(List.copyOf(events), report.build());
  }

  private static RequestEvent event(JsonNode n) {
    JsonNode ts = n.get("ts");
    if (ts == null || !ts.isTextual()) {
      throw new IllegalArgumentException("ts: " + ts + " (expected: a UTC time string)");
    }
    long millis = Instant.parse(ts.asText()).toEpochMilli();
    String client = text(n, "client", true);
    String tier = text(n, "tier", true);
    String decision = text(n, "decision", false);
    if (decision != null && !decision.equals("allowed") && !decision.equals("denied")) {
      throw new IllegalArgumentException("decision: " + decision + " (expected: allowed, denied or null)");
    }
    double status = number(n, "status");
    return new RequestEvent(millis, client, tier, Double.isNaN(status) ? -1 : (int) status,
        (long) orZero(number(n, "responseBytes")), number(n, "upstreamMs"), number(n, "cost"), "denied".equals(decision),
        decision != null, number(n, "remaining"), number(n, "burst"));
  }

  private static String text(JsonNode n, String field, boolean required) {
    JsonNode f = n.get(field);
    if (f == null || f.isNull()) {
      if (required) {
        throw new IllegalArgumentException(field + ": missing (expected: a string)");
      }
      return null;
    }
    if (!f.isTextual() || (required && f.asText().isEmpty())) {
      throw new IllegalArgumentException(field + ": " + f + " (expected: a string)");
    }
    return f.asText();
  }

  private static double number(JsonNode n, String field) {
    JsonNode f = n.get(field);
    if (f == null || f.isNull()) {
      return Double.NaN;
    }
    if (!f.isNumber()) {
      throw new IllegalArgumentException(field + ": " + f + " (expected: a number or null)");
    }
    return f.asDouble();
  }

  private static double orZero(double x) {
    return Double.isNaN(x) ? 0 : x;
  }
}
