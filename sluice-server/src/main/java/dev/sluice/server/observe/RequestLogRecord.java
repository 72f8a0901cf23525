package dev.sluice.server.observe;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One line of the request log, schema version {@value #VERSION} ({@code docs/request-log.md}).
 *
 * @param epochMillis wall-clock time the request finished
 * @param source {@code proxy}, {@code decision} or {@code feedback}
 * @param client the client key
 * @param tier the tier decided in
 * @param method the HTTP method, or {@code null} when a decision request named none
 * @param route the request path without the query, or {@code null}
 * @param requestBytes request body bytes (0 for decisions and feedback)
 * @param responseBytes response body bytes sent to the client (0 for decisions and feedback)
 * @param upstreamNanos upstream latency, or a negative value when there was none
 * @param status the status the client got (proxy), the would-be status (decision: 200 or 429),
 *     or the status reported (feedback); 0 when unknown
 * @param allowed whether the decision admitted the request; {@code null} for feedback
 * @param level the level the token figures describe, or {@code null}
 * @param cost tokens the request cost, or 0 for feedback
 * @param remaining tokens left in {@code level}, or a negative value when unknown
 * @param refillRate refill rate of {@code level} in tokens per second, or NaN when unknown
 */
public record RequestLogRecord(long epochMillis, String source, String client, String tier, String method,
    String route, long requestBytes, long responseBytes, long upstreamNanos, int status,
    Boolean allowed, String level, int cost, long remaining, double refillRate) {

  /** The schema version written in every line's {@code v} field. */
  static final int VERSION = 1;

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Writes the record as one JSON object (without the newline). */
  void write(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeNumberField("v", VERSION);
    g.writeStringField("ts", TS.format(Instant.ofEpochMilli(epochMillis)));
    g.writeStringField("source", source);
    g.writeStringField("client", client);
    g.writeStringField("tier", tier);
    g.writeStringField("method", method);
    g.writeStringField("route", route);
    g.writeNumberField("requestBytes", requestBytes);
    g.writeNumberField("responseBytes", responseBytes);
    if (upstreamNanos < 0) {
      g.writeNullField("upstreamMs");
    } else {
      g.writeNumberField("upstreamMs", Math.round(upstreamNanos / 1_000.0) / 1_000.0);
    }
    if (status == 0) {
      g.writeNullField("status");
    } else {
      g.writeNumberField("status", status);
    }
    g.writeStringField("decision", allowed == null ? null : allowed ? "allowed" : "denied");
    g.writeStringField("level", level);
    if (cost == 0) {
      g.writeNullField("cost");
    } else {
      g.writeNumberField("cost", cost);
    }
    if (remaining < 0) {
      g.writeNullField("remaining");
    } else {
      g.writeNumberField("remaining", remaining);
    }
    if (Double.isNaN(refillRate)) {
      g.writeNullField("refillRate");
    } else {
      g.writeNumberField("refillRate", refillRate);
    }
    g.writeEndObject();
  }
}
