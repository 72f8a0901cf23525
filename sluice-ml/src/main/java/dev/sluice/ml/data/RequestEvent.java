package dev.sluice.ml.data;

/**
 * One request as the readers see it, whatever log it came from. Absent numbers are {@code NaN}
 * (or {@code -1} for the status), absent strings {@code null}-free defaults.
 *
 * @param epochMillis when it finished, UTC milliseconds
 * @param client the client key (an address for access logs)
 * @param tier the tier ({@code default} when the log has none)
 * @param status the HTTP status, or -1 when unknown
 * @param bytes response bytes (0 when unknown)
 * @param latencyMs upstream latency in milliseconds, or NaN
 * @param tokens the request's cost in tokens (LLM traces: context + generated tokens), or NaN
 * @param denied whether the limiter denied it (false when the log says nothing)
 * @param decided whether the limiter decided it (a request log's allowed/denied lines)
 * @param remaining tokens left in the bucket after the decision, or NaN
 * @param burst the bucket's burst at the decision (request log version 2), or NaN
 */
public record RequestEvent(long epochMillis, String client, String tier, int status, long bytes, double latencyMs,
    double tokens, boolean denied, boolean decided, double remaining, double burst) {

  /** Validates the names and the status. */
  public RequestEvent {
    if (client == null || client.isEmpty()) {
      throw new IllegalArgumentException("client: " + client + " (expected: a non-empty key)");
    }
    if (tier == null || tier.isEmpty()) {
      throw new IllegalArgumentException("tier: " + tier + " (expected: a non-empty name)");
    }
    if (status < -1 || status > 999) {
      throw new IllegalArgumentException("status: " + status + " (expected: -1 or 0..999)");
    }
  }

  /** A request known only by its time, client and size (an access log line). */
  public static RequestEvent access(long epochMillis, String client, int status, long bytes) {
    return new RequestEvent(epochMillis, client, "default", status, bytes, Double.NaN, Double.NaN, false, false,
        Double.NaN, Double.NaN);
  }
}
