package dev.sluice.sim;

import dev.sluice.core.Durations;
import dev.sluice.core.Rate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Typed, path-aware access to a parsed YAML tree (maps, lists, scalars) that collects problems as
 * {@code path: value (expected: ...)} instead of failing on the first. Not thread-safe.
 */
final class Tree {

  final List<String> problems = new ArrayList<>();

  void problem(String path, Object value, String expected) {
    problems.add(path + ": " + value + " (expected: " + expected + ")");
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> map(String path, Object v, Set<String> keys) {
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?>)) {
      problem(path, v, "a mapping");
      return Map.of();
    }
    Map<String, Object> m = (Map<String, Object>) v;
    for (String k : m.keySet()) {
      if (!keys.contains(k)) {
        problems.add(path + "." + k + ": unknown key (expected: one of " + keys.stream().sorted().toList() + ")");
      }
    }
    return m;
  }

  List<?> list(String path, Object v) {
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> l)) {
      problem(path, v, "a list");
      return List.of();
    }
    return l;
  }

  String string(String path, Object v, String fallback) {
    return v == null ? fallback : v.toString();
  }

  boolean bool(String path, Object v, boolean fallback) {
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    problem(path, v, "true or false");
    return fallback;
  }

  double number(String path, Object v, double fallback, double min, double max) {
    if (v == null) {
      return fallback;
    }
    double d;
    if (v instanceof Number n) {
      d = n.doubleValue();
    } else {
      try {
        d = Double.parseDouble(v.toString().strip());
      } catch (NumberFormatException e) {
        problem(path, v, "a number");
        return fallback;
      }
    }
    if (!(d >= min && d <= max)) {
      problem(path, v, "a number in [" + fmt(min) + ", " + fmt(max) + "]");
      return fallback;
    }
    return d;
  }

  int integer(String path, Object v, int fallback, int min, int max) {
    double d = number(path, v, fallback, min, max);
    if (d != Math.rint(d)) {
      problem(path, v, "a whole number");
      return fallback;
    }
    return (int) d;
  }

  /** Milliseconds from a duration such as {@code 250ms} or {@code 2s}, or a plain number of ms. */
  double millis(String path, Object v, double fallback) {
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Durations.parse(v.toString()).toNanos() / 1e6;
    } catch (IllegalArgumentException e) {
      problem(path, v, "a duration such as 250ms, 5s or 2m");
      return fallback;
    }
  }

  /**
   * A rate in tokens (or requests) per second: {@code 500}, {@code 500/s}, {@code 30000/min}, or
   * {@code 1.5x} meaning 1.5 times {@code unit}.
   */
  double rate(String path, Object v, double fallback, double unit) {
    if (v == null) {
      return fallback;
    }
    String s = v.toString().strip().toLowerCase(Locale.ROOT);
    try {
      if (s.endsWith("x")) {
        double f = Double.parseDouble(s.substring(0, s.length() - 1).strip());
        if (f < 0) {
          throw new NumberFormatException(s);
        }
        return f * unit;
      }
      if (v instanceof Number n) {
        if (n.doubleValue() < 0) {
          throw new NumberFormatException(s);
        }
        return n.doubleValue();
      }
      return Rate.parse(s).perSecond();
    } catch (IllegalArgumentException e) {
      problem(path, v, "a rate such as 500, 500/s or 1.5x (times capacity)");
      return fallback;
    }
  }

  static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
