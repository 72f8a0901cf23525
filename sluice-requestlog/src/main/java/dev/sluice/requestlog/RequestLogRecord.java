package dev.sluice.requestlog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * One line of the request log, schema version {@value #VERSION} ({@code docs/request-log.md}), and
 * the format's one encoder ({@link #appendJson}). Immutable. Numbers that do not apply are passed
 * as a negative value or NaN, as each parameter says, and written as {@code null}.
 *
 * @param epochMillis time the request finished (wall clock, or the simulator's virtual clock
 *     anchored at an epoch), milliseconds since 1970-01-01T00:00:00Z
 * @param source {@code proxy}, {@code decision}, {@code feedback}, or {@code envoy} (a descriptor of
 *     Envoy's rate-limit service)
 * @param client the client key
 * @param tier the tier decided in
 * @param method the HTTP method, or {@code null} when none was named
 * @param route the request path without the query, or {@code null}
 * @param requestBytes request body bytes (0 for decisions and feedback)
 * @param responseBytes response body bytes sent to the client (0 for decisions and feedback)
 * @param upstreamNanos upstream latency, or a negative value when there was none
 * @param status the status the client got (proxy), the would-be status (decision: 200 or 429),
 *     or the status reported (feedback); 0 when unknown
 * @param allowed whether the decision admitted the request; {@code null} for feedback
 * @param level the level the token figures describe, or {@code null}
 * @param cost tokens the request cost, or 0 when unknown (feedback)
 * @param remaining tokens left in {@code level}, or a negative value when unknown
 * @param refillRate refill rate of {@code level} in tokens per second, or NaN when unknown
 * @param burst burst (capacity) of {@code level} in tokens, or a negative value when unknown
 * @param decisionId the decision's id ({@link DecisionIds}), or {@code null} (feedback that named none)
 * @param policy the adaptive policy in force: {@code static} when adaptation is off, else its name
 * @param modelVersion the version of the learned model in force, or {@code null} for none
 * @param shadow in shadow mode, the global rate the adaptive loop would set, tokens per second;
 *     NaN otherwise
 * @param anomalyScore the anomaly detector's score of the request's client, or NaN (no detector yet)
 */
public record RequestLogRecord(long epochMillis, String source, String client, String tier, String method,
    String route, long requestBytes, long responseBytes, long upstreamNanos, int status, Boolean allowed,
    String level, int cost, long remaining, double refillRate, long burst, String decisionId, String policy,
    String modelVersion, double shadow, double anomalyScore) {

  /** The schema version written in every line's {@code v} field. */
  public static final int VERSION = 2;

  /** The fields of a line of this version, in the order they are written. */
  public static final List<String> FIELDS = List.of("v", "ts", "source", "client", "tier", "method", "route",
      "requestBytes", "responseBytes", "upstreamMs", "status", "decision", "level", "cost", "remaining",
      "refillRate", "burst", "decisionId", "policy", "modelVersion", "shadow", "anomalyScore");

  /** The {@code policy} of a server or run whose rates no adaptive loop moves. */
  public static final String STATIC = "static";

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Validates the fields every line has. */
  public RequestLogRecord {
    if (!source.equals("proxy") && !source.equals("decision") && !source.equals("feedback")
        && !source.equals("envoy")) {
      throw new IllegalArgumentException("source: " + source + " (expected: proxy, decision, feedback or envoy)");
    }
    if (client == null || tier == null || policy == null) {
      throw new IllegalArgumentException("client, tier, policy: " + client + ", " + tier + ", " + policy
          + " (expected: not null)");
    }
  }

  /** Returns the line as one JSON object, without the newline. */
  public String toJson() {
    StringBuilder sb = new StringBuilder(384);
    appendJson(sb);
    return sb.toString();
  }

  /**
   * Appends the line as one JSON object (without the newline) to {@code out}: the fields of
   * {@link #FIELDS} in that order, strings escaped as JSON requires (control characters as
   * {@code \}{@code uXXXX} unless they have a short escape), numbers in Java's shortest
   * round-tripping form ({@link Double#toString}), absent values as {@code null}.
   */
  public void appendJson(StringBuilder out) {
    out.append("{\"v\":").append(VERSION);
    out.append(",\"ts\":\"");
    TS.formatTo(Instant.ofEpochMilli(epochMillis), out);
    out.append('"');
    string(out, "source", source);
    string(out, "client", client);
    string(out, "tier", tier);
    string(out, "method", method);
    string(out, "route", route);
    out.append(",\"requestBytes\":").append(requestBytes);
    out.append(",\"responseBytes\":").append(responseBytes);
    number(out, "upstreamMs", upstreamNanos < 0 ? Double.NaN : Math.round(upstreamNanos / 1_000.0) / 1_000.0);
    whole(out, "status", status == 0 ? -1 : status);
    string(out, "decision", allowed == null ? null : allowed ? "allowed" : "denied");
    string(out, "level", level);
    whole(out, "cost", cost == 0 ? -1 : cost);
    whole(out, "remaining", remaining);
    number(out, "refillRate", refillRate);
    whole(out, "burst", burst);
    string(out, "decisionId", decisionId);
    string(out, "policy", policy);
    string(out, "modelVersion", modelVersion);
    number(out, "shadow", shadow);
    number(out, "anomalyScore", anomalyScore);
    out.append('}');
  }

  private static void name(StringBuilder out, String name) {
    out.append(",\"").append(name).append("\":");
  }

  private static void whole(StringBuilder out, String name, long value) {
    name(out, name);
    if (value < 0) {
      out.append("null");
    } else {
      out.append(value);
    }
  }

  private static void number(StringBuilder out, String name, double value) {
    name(out, name);
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      out.append("null");
    } else {
      out.append(value);
    }
  }

  private static void string(StringBuilder out, String name, String value) {
    name(out, name);
    if (value == null) {
      out.append("null");
      return;
    }
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
