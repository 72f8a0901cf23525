package dev.sluice.redis;

/** What a node does with decisions while Redis is unreachable (its circuit breaker is open). */
public enum FailureMode {
  /** Admit every request. */
  FAIL_OPEN("fail-open"),
  /** Deny every request, with a retry-after of the breaker's open time. */
  FAIL_CLOSED("fail-closed"),
  /** Decide from local buckets holding this node's share (limit ÷ live nodes) of every limit. */
  LOCAL_SHARE("local-share");

  private final String label;

  FailureMode(String label) {
    this.label = label;
  }

  /** Returns the mode's name in metrics and config, e.g. {@code local-share}. */
  public String label() {
    return label;
  }

  /** Parses {@code fail-open}, {@code fail-closed} or {@code local-share} (case-insensitive). */
  public static FailureMode parse(String text) {
    for (FailureMode m : values()) {
      if (m.label.equalsIgnoreCase(text == null ? "" : text.strip())) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "failure mode: " + text + " (expected: fail-open, fail-closed or local-share)");
  }
}
