package dev.sluice.adaptive.flood;

/**
 * One anomaly the response acted on, from its start to its end.
 *
 * @param kind {@code flood} (a tier's flood score passed the threshold), {@code heavy-hitter} (a
 *     client above the heavy-hitter share while its tier's demand was anomalous), {@code spike} or
 *     {@code drift} (a tier's demand, or a watched client's share of all demand, by the spike or
 *     the drift detectors of the response's watch) or {@code flagged} (a client another detector
 *     flagged through {@link FloodResponse#flag})
 * @param scope {@code tier:NAME} or {@code client:KEY}
 * @param score the highest score seen while it lasted
 * @param startNanos when it started, on the response's clock
 * @param endNanos when the response had ramped back to normal limits, or -1 while it lasts
 * @param action what the response did, e.g. {@code newcomer-share 0.2}, {@code burst 0.3, cost x3} or
 *     {@code alert} (a tier's spike or drift: an event and the score, no enforcement)
 */
public record FloodEvent(String kind, String scope, double score, long startNanos, long endNanos, String action) {

  /** Whether it still lasts. */
  public boolean open() {
    return endNanos < 0;
  }

  FloodEvent withScore(double s) {
    return s > score ? new FloodEvent(kind, scope, s, startNanos, endNanos, action) : this;
  }

  FloodEvent ended(long now) {
    return new FloodEvent(kind, scope, score, startNanos, now, action);
  }

  /**
   * Returns the event as one line of JSON, its times as ISO-8601 instants given the wall-clock
   * milliseconds {@code epochMillisAtZero} that clock time 0 corresponds to.
   */
  public String toJson(long epochMillisAtZero) {
    StringBuilder sb = new StringBuilder(160);
    sb.append("{\"kind\":\"").append(kind).append("\",\"scope\":");
    quote(sb, scope);
    sb.append(",\"score\":").append(Math.round(score * 1000) / 1000.0);
    sb.append(",\"start\":\"").append(java.time.Instant.ofEpochMilli(epochMillisAtZero + startNanos / 1_000_000))
        .append('"');
    sb.append(",\"end\":");
    if (open()) {
      sb.append("null");
    } else {
      sb.append('"').append(java.time.Instant.ofEpochMilli(epochMillisAtZero + endNanos / 1_000_000)).append('"');
    }
    sb.append(",\"action\":");
    quote(sb, action);
    return sb.append('}').toString();
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }
}
