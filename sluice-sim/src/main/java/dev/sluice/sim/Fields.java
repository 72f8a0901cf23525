package dev.sluice.sim;

import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import dev.sluice.config.yaml.YamlNode.Kind;
import dev.sluice.core.Durations;
import dev.sluice.core.Rate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Scenario values read from the config's line-numbered YAML tree ({@link YamlNode}, {@link
 * Mapping}), with the scenario format's leniencies: a number may be quoted, a plain number is a
 * duration in milliseconds, and a rate may be a multiple of capacity ({@code 1.5x}). Each problem
 * goes to the shared {@link Problems} on the line of its value, as {@code FILE:line: path: value
 * (expected: ...)}, and the read returns its fallback. Not thread-safe; one per file.
 */
final class Fields {

  private final Problems problems;

  Fields(Problems problems) {
    this.problems = problems;
  }

  /** Returns whether {@code node} is absent: missing or YAML {@code null}. */
  static boolean absent(YamlNode node) {
    return node == null || node.kind() == Kind.NULL;
  }

  /** Records that field {@code key} of {@code m} is not what was {@code expected} (or is missing). */
  void problem(Mapping m, String key, String expected) {
    problem(m.path(key), m.node(key), m.line(), expected);
  }

  /** Records that {@code node} at {@code path} is not what was {@code expected}; missing on {@code line}. */
  void problem(String path, YamlNode node, int line, String expected) {
    if (absent(node)) {
      problems.missing(line, path, expected);
    } else if (node.kind() != Kind.INVALID) {
      problems.invalid(node, path, expected);
    }
  }

  /**
   * Returns the mapping {@code node} at {@code path} with the {@code known} keys ({@code null}: any
   * key); absent, or not a mapping (reported), reads as an empty mapping on {@code line}.
   */
  Mapping map(String path, YamlNode node, int line, List<String> known) {
    Mapping m = Mapping.of(node, path, line, problems, known);
    return m != null ? m : Mapping.of(null, path, node.line(), problems, null);
  }

  /** Returns the child mapping {@code key} of {@code m}, as {@link #map} reads it. */
  Mapping map(Mapping m, String key, List<String> known) {
    return map(m.path(key), m.node(key), m.line(), known);
  }

  /** Returns the list {@code key}: empty when absent or after reporting a non-list. */
  List<YamlNode> list(Mapping m, String key) {
    YamlNode v = m.node(key);
    if (absent(v) || v.kind() == Kind.INVALID) {
      return List.of();
    }
    if (v.kind() != Kind.LIST) {
      problems.invalid(v, m.path(key), "a list");
      return List.of();
    }
    return v.items();
  }

  /** Returns the scalar {@code key} as text, or {@code fallback} when absent. */
  String string(Mapping m, String key, String fallback) {
    YamlNode v = m.node(key);
    if (absent(v) || v.kind() == Kind.INVALID) {
      return fallback;
    }
    if (v.kind() == Kind.MAPPING || v.kind() == Kind.LIST) {
      problems.invalid(v, m.path(key), "a string");
      return fallback;
    }
    return v.text();
  }

  /** Returns the boolean {@code key}, or {@code fallback} when absent. */
  boolean bool(Mapping m, String key, boolean fallback) {
    YamlNode v = m.node(key);
    if (absent(v) || v.kind() == Kind.INVALID) {
      return fallback;
    }
    if (v.kind() != Kind.BOOLEAN) {
      problems.invalid(v, m.path(key), "true or false");
      return fallback;
    }
    return v.number().signum() != 0;
  }

  /** Returns the number {@code key} (possibly quoted) within {@code min..max}, or {@code fallback}. */
  double number(Mapping m, String key, double fallback, double min, double max) {
    YamlNode v = m.node(key);
    if (absent(v) || v.kind() == Kind.INVALID) {
      return fallback;
    }
    Double d = value(v);
    if (d == null) {
      problems.invalid(v, m.path(key), "a number");
      return fallback;
    }
    if (!(d >= min && d <= max)) {
      problems.invalid(v, m.path(key), "a number in [" + format(min) + ", " + format(max) + "]");
      return fallback;
    }
    return d;
  }

  /** Returns the whole number {@code key} within {@code min..max}, or {@code fallback}. */
  int integer(Mapping m, String key, int fallback, int min, int max) {
    double d = number(m, key, fallback, min, max);
    if (d != Math.rint(d)) {
      problems.invalid(m.node(key), m.path(key), "a whole number");
      return fallback;
    }
    return (int) d;
  }

  /** Returns milliseconds from a duration such as {@code 250ms} or {@code 2s}, or a plain number of ms. */
  double millis(Mapping m, String key, double fallback) {
    return millis(m.path(key), m.node(key), fallback);
  }

  /** Returns milliseconds from {@code node}, as {@link #millis(Mapping, String, double)} reads it. */
  double millis(String path, YamlNode v, double fallback) {
    if (absent(v) || v.kind() == Kind.INVALID) {
      return fallback;
    }
    if (v.kind() == Kind.INTEGER || v.kind() == Kind.DECIMAL) {
      Double d = value(v);
      return d == null ? fallback : d;
    }
    try {
      Duration d = v.kind() == Kind.STRING ? Durations.parse(v.text()) : null;
      if (d != null && !d.isNegative()) {
        return d.toNanos() / 1e6;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    problems.invalid(v, path, "a duration such as 250ms, 5s or 2m");
    return fallback;
  }

  /**
   * Returns a rate in tokens (or requests) per second: {@code 500}, {@code 500/s}, {@code
   * 30000/min}, or {@code 1.5x} meaning 1.5 times {@code unit}; {@code fallback} when absent.
   */
  double rate(Mapping m, String key, double fallback, double unit) {
    YamlNode v = m.node(key);
    if (absent(v) || v.kind() == Kind.INVALID) {
      return fallback;
    }
    try {
      if (isMultiple(v)) {
        String s = v.text().strip().toLowerCase(Locale.ROOT);
        double f = Double.parseDouble(s.substring(0, s.length() - 1).strip());
        if (f >= 0) {
          return f * unit;
        }
      } else if (v.kind() == Kind.INTEGER || v.kind() == Kind.DECIMAL) {
        Double d = value(v);
        if (d != null && d >= 0) {
          return d;
        }
      } else if (v.kind() == Kind.STRING) {
        return Rate.parse(v.text()).perSecond();
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    problems.invalid(v, m.path(key), "a rate such as 500, 500/s or 1.5x (times capacity)");
    return fallback;
  }

  /** Returns whether {@code v} is written as a multiple of capacity, such as {@code 1.5x}. */
  static boolean isMultiple(YamlNode v) {
    return !absent(v) && v.kind() == Kind.STRING && v.text().strip().toLowerCase(Locale.ROOT).endsWith("x");
  }

  /** Returns the number {@code v} holds, quoted or not, or {@code null}. */
  private static Double value(YamlNode v) {
    if (v.kind() == Kind.INTEGER || v.kind() == Kind.DECIMAL) {
      return v.number() == null ? null : v.number().doubleValue();
    }
    if (v.kind() == Kind.STRING) {
      try {
        return Double.parseDouble(v.text().strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  static String format(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
