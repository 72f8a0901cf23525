package dev.sluice.config.yaml;

import dev.sluice.config.yaml.YamlNode.Kind;
import dev.sluice.core.Durations;
import dev.sluice.core.Rate;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A YAML mapping at a dotted path, read field by field with types checked; every problem goes to
 * the shared {@link Problems} and the typed getters then return {@code null}.
 *
 * <p>Getters return {@code null} both for an absent (or explicitly {@code null}) optional field and
 * for a field that was reported; section readers apply defaults to {@code null} and build their
 * record only when they added no problem, so the two cases need no telling apart. Creating a view
 * reports every key not in the section's known list.
 */
public final class Mapping {

  private final YamlNode node;
  private final String path;
  private final Problems problems;

  private Mapping(YamlNode node, String path, Problems problems, List<String> known) {
    this.node = node;
    this.path = path;
    this.problems = problems;
    if (known != null) {
      for (String key : node.fields().keySet()) {
        if (!known.contains(key)) {
          problems.add(keyLine(key), path(key), "unknown field (expected: one of " + String.join(", ", known) + ")");
        }
      }
    }
  }

  private static String expected(List<String> known) {
    return known == null ? "a mapping" : "a mapping with " + String.join(", ", known);
  }

  /**
   * Returns a view of {@code node} at {@code path} with the {@code known} keys ({@code null}: any
   * key, as for maps of names); an absent or null node reads as an empty mapping on {@code line},
   * and any other non-mapping is reported and gives {@code null}.
   */
  public static Mapping of(YamlNode node, String path, int line, Problems problems, List<String> known) {
    if (node == null || node.kind() == Kind.NULL) {
      return new Mapping(YamlNode.mapping(Map.of(), Map.of(), node == null ? line : node.line()),
          path, problems, known);
    }
    if (node.kind() != Kind.MAPPING) {
      if (node.isPresent()) {
        problems.invalid(node, path, expected(known));
      }
      return null;
    }
    return new Mapping(node, path, problems, known);
  }

  /** Returns the dotted path of this mapping ({@code ""} for the root). */
  public String path() {
    return path;
  }

  /** Returns the dotted path of field {@code key}. */
  public String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Returns the line of this mapping (its key's line, or the first line of the root). */
  public int line() {
    return node.line();
  }

  /** Returns the line of field {@code key}'s value, or this mapping's line when it is absent. */
  public int line(String key) {
    YamlNode value = node.fields().get(key);
    return value == null ? line() : value.line();
  }

  /** Returns whether field {@code key} is present with a non-null value. */
  public boolean has(String key) {
    YamlNode value = node.fields().get(key);
    return value != null && value.kind() != Kind.NULL;
  }

  /** Returns the raw node of field {@code key}, or {@code null} when absent or null. */
  public YamlNode node(String key) {
    return has(key) ? node.fields().get(key) : null;
  }

  /** Returns the fields in file order (values may be null or invalid nodes). */
  public Map<String, YamlNode> fields() {
    return node.fields();
  }

  /** Returns the line of key {@code key}. */
  public int keyLine(String key) {
    Integer line = node.keyLines().get(key);
    return line == null ? line() : line;
  }

  /** Reports that required field {@code key} is missing, on this mapping's line. */
  public void missing(String key, String expected) {
    problems.missing(line(), path(key), expected);
  }

  /**
   * Returns what {@code factory} builds, or {@code null} after recording the {@link
   * IllegalArgumentException} it throws. A message {@code path: value (expected: ...)} whose path
   * lies below this mapping is recorded on the line of the value it names: for a pair such as
   * {@code low/high} the last one present, for an absent value its nearest present parent; any
   * other message goes on this mapping's line, under its path.
   */
  public <T> T build(Supplier<T> factory) {
    try {
      return factory.get();
    } catch (IllegalArgumentException e) {
      reject(e);
      return null;
    }
  }

  /** Records the {@link IllegalArgumentException} of a record's own check, as {@link #build} does. */
  public void reject(IllegalArgumentException e) {
    String message = String.valueOf(e.getMessage());
    int colon = message.indexOf(": ");
    String named = colon < 0 ? "" : message.substring(0, colon);
    boolean below = path.isEmpty() || named.equals(path) || named.startsWith(path + ".");
    if (colon > 0 && below && named.chars().noneMatch(Character::isWhitespace)) {
      problems.add(lineOf(named), named, message.substring(colon + 2));
    } else {
      problems.rejected(line(), path, e);
    }
  }

  /** Returns the line of the value at dotted {@code named} below this mapping (see {@link #build}). */
  private int lineOf(String named) {
    String rest = named.substring(path.length());
    YamlNode at = node;
    int line = line();
    for (String segment : rest.isEmpty() ? new String[0] : rest.replaceFirst("^\\.", "").split("\\.")) {
      int bracket = segment.indexOf('[');
      YamlNode next = null;
      for (String key : (bracket < 0 ? segment : segment.substring(0, bracket)).split("/")) {
        YamlNode child = at.fields().get(key);
        if (child != null && child.kind() != Kind.NULL) {
          next = child;
        }
      }
      if (next == null) {
        return line;
      }
      at = next;
      String index = bracket < 0 || !segment.endsWith("]") ? "" : segment.substring(bracket + 1, segment.length() - 1);
      if (at.kind() == Kind.LIST && index.matches("[0-9]{1,9}") && Integer.parseInt(index) < at.items().size()) {
        at = at.items().get(Integer.parseInt(index));
      }
      line = at.line();
    }
    return line;
  }

  /** Returns the present value of {@code key}, reporting it as missing when {@code required}. */
  private YamlNode value(String key, boolean required, String expected) {
    YamlNode value = node(key);
    if (value == null && required) {
      missing(key, expected);
    }
    return value == null || value.kind() == Kind.INVALID ? null : value;
  }

  /** Returns the child mapping {@code key} with its {@code known} keys; absent reads as empty. */
  public Mapping mapping(String key, List<String> known) {
    return of(node.fields().get(key), path(key), line(), problems, known);
  }

  /** Returns the list {@code key}: empty when absent, {@code null} after reporting a non-list. */
  public List<YamlNode> list(String key, String expected) {
    YamlNode value = value(key, false, expected);
    if (value == null) {
      return node(key) == null ? List.of() : null;
    }
    if (value.kind() != Kind.LIST) {
      problems.invalid(value, path(key), expected);
      return null;
    }
    return value.items();
  }

  /** Returns the non-blank string {@code key}. */
  public String string(String key, boolean required) {
    YamlNode value = value(key, required, "a string");
    if (value == null) {
      return null;
    }
    if (value.kind() != Kind.STRING) {
      problems.invalid(value, path(key), value.kind() == Kind.INTEGER || value.kind() == Kind.DECIMAL
          || value.kind() == Kind.BOOLEAN ? "a string; quote it" : "a string");
      return null;
    }
    if (value.text().isBlank()) {
      problems.invalid(value, path(key), "a non-empty string");
      return null;
    }
    return value.text();
  }

  /** Returns the integer {@code key} within {@code min..max}. */
  public Long integer(String key, long min, long max, boolean required) {
    String expected = max == Long.MAX_VALUE || max == Integer.MAX_VALUE
        ? "an integer >= " + min : "an integer " + min + ".." + max;
    YamlNode value = value(key, required, expected);
    if (value == null) {
      return null;
    }
    if (value.kind() != Kind.INTEGER) {
      problems.invalid(value, path(key), expected);
      return null;
    }
    BigDecimal n = value.number();
    if (n.compareTo(BigDecimal.valueOf(min)) < 0) {
      problems.invalid(value, path(key), expected);
      return null;
    }
    if (n.compareTo(BigDecimal.valueOf(max)) > 0) {
      problems.invalid(value, path(key), max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "<= " + max : expected);
      return null;
    }
    return n.longValueExact();
  }

  /** Returns the finite number {@code key} (an integer or decimal, not a quoted string). */
  public Double number(String key) {
    YamlNode value = value(key, false, "a number");
    if (value == null) {
      return null;
    }
    if (value.kind() != Kind.INTEGER && value.kind() != Kind.DECIMAL || value.number() == null) {
      problems.invalid(value, path(key), "a number");
      return null;
    }
    return value.number().doubleValue();
  }

  /** Returns the number {@code key} with {@code 0 < value <= 1}. */
  public Double fraction(String key) {
    String expected = "a number > 0 and <= 1";
    YamlNode value = value(key, false, expected);
    if (value == null) {
      return null;
    }
    BigDecimal n = value.kind() == Kind.INTEGER || value.kind() == Kind.DECIMAL ? value.number() : null;
    if (n == null || n.signum() <= 0 || n.compareTo(BigDecimal.ONE) > 0) {
      problems.invalid(value, path(key), expected);
      return null;
    }
    return n.doubleValue();
  }

  /** Returns the boolean {@code key} ({@code true}/{@code false}; YAML 1.1 {@code yes}/{@code on} too). */
  public Boolean bool(String key) {
    YamlNode value = value(key, false, "true or false");
    if (value == null) {
      return null;
    }
    if (value.kind() != Kind.BOOLEAN) {
      problems.invalid(value, path(key), "true or false");
      return null;
    }
    return value.number().signum() != 0;
  }

  /** Returns the rate {@code key}: a number per second, or text {@link Rate#parse} accepts. */
  public Rate rate(String key, boolean required) {
    String expected = "a rate such as 100/s, 6000/min, 1/h or 250";
    YamlNode value = value(key, required, expected);
    if (value == null) {
      return null;
    }
    String text = switch (value.kind()) {
      case STRING -> value.text();
      case INTEGER, DECIMAL -> value.number() == null ? null : value.number().toPlainString();
      default -> null;
    };
    if (text == null) {
      problems.invalid(value, path(key), expected);
      return null;
    }
    try {
      return Rate.parse(text);
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      problems.add(value.line(), path(key), message.startsWith("rate: ") ? message.substring(6) : message);
      return null;
    }
  }

  /** Returns the positive duration {@code key}, as {@link Durations#parse} reads it. */
  public Duration duration(String key) {
    YamlNode value = value(key, false, Durations.EXPECTED);
    if (value == null) {
      return null;
    }
    if (value.kind() != Kind.STRING) {
      problems.invalid(value, path(key), value.kind() == Kind.INTEGER || value.kind() == Kind.DECIMAL
          ? "a duration with a unit, such as 250ms, 10s, 2m, 1h or PT10S" : Durations.EXPECTED);
      return null;
    }
    try {
      Duration d = Durations.parse(value.text());
      if (d.isNegative() || d.isZero()) {
        problems.invalid(value, path(key), "> 0");
        return null;
      }
      return d;
    } catch (IllegalArgumentException e) {
      problems.invalid(value, path(key), e);
      return null;
    }
  }
}
