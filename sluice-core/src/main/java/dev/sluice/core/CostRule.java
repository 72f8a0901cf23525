package dev.sluice.core;

import java.util.Locale;

/**
 * A rule that gives matching requests a token cost, e.g. {@code POST /rate/llm/** costs 3}.
 *
 * <p>Path patterns are matched segment by segment: {@code *} matches within one segment (any
 * characters but {@code /}), {@code **} as a whole segment matches zero or more segments, and
 * anything else matches literally. The method is an HTTP method (case-insensitive) or {@code *}.
 *
 * @param method an HTTP method such as {@code POST}, or {@code *} for any
 * @param pathPattern a pattern starting with {@code /}
 * @param cost tokens a matching request costs, {@code >= 1}
 */
public record CostRule(String method, String pathPattern, int cost) {

  /** Validates and normalises the method to upper case. */
  public CostRule {
    if (method == null || method.isBlank()) {
      throw new IllegalArgumentException("method: missing (expected: an HTTP method or *)");
    }
    method = method.strip().toUpperCase(Locale.ROOT);
    if (!method.equals("*") && !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
      throw new IllegalArgumentException("method: " + method + " (expected: an HTTP method such as POST, or *)");
    }
    if (pathPattern == null || !pathPattern.startsWith("/")) {
      throw new IllegalArgumentException("path: " + pathPattern + " (expected: a pattern starting with /)");
    }
    if (cost < 1) {
      throw new IllegalArgumentException("cost: " + cost + " (expected: >= 1)");
    }
  }

  /** Returns a rule for {@code method} and {@code pathPattern} that costs {@code cost}. */
  public static CostRule of(String method, String pathPattern, int cost) {
    return new CostRule(method, pathPattern, cost);
  }

  /** Returns whether this rule applies to a request; does not allocate. */
  public boolean matches(String requestMethod, String path) {
    if (!method.equals("*") && !method.equalsIgnoreCase(requestMethod)) {
      return false;
    }
    return PathPattern.matches(pathPattern, 1, path, path.startsWith("/") ? 1 : 0);
  }

  @Override
  public String toString() {
    return method + " " + pathPattern + " costs " + cost;
  }
}
