package dev.sluice.config;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.adaptive.AdaptiveSettingsReader;
import dev.sluice.core.Rate;
import dev.sluice.core.config.AdaptiveConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code adaptive} section: the switches into {@link AdaptiveConfig} and the controller
 * parameters into {@link AdaptiveSettings}. Types are checked here, field by field, with the
 * loader's messages and lines; the ranges and cross-field rules are {@link AdaptiveSettingsReader}'s,
 * and each of its {@code adaptive.path: value (expected: ...)} lines is reported on the line of the
 * value it names.
 */
final class AdaptiveReader {

  /*
   * Design notes. AdaptiveSettingsReader takes the plain tree a YAML parser produces and is lenient
   * about types (a quoted "1.2" passes for a number, a bare 150 for 150 ms). The loader promises
   * more: numbers are numbers, durations carry a unit. So each field is type-checked here through
   * Mapping and handed over normalized (durations as ISO-8601 text, rates as their text), and the
   * reader is only ever asked about values of the right type. The switches come from the loader's
   * own reading, so AdaptiveConfig and AdaptiveSettings cannot disagree.
   */

  /** Keys of the {@code adaptive} section. */
  static final List<String> KEYS = List.of("enabled", "shadow", "interval", "controllers", "latency-aimd",
      "error-backoff", "gradient", "pi", "static", "limits", "burst", "min-burst");

  /** The kind of a controller parameter: duration, rate, number or integer. */
  private enum Type { DURATION, RATE, NUMBER, INTEGER }

  /** Each controller section's keys, in documentation order, with their types. */
  private static final Map<String, Map<String, Type>> SECTIONS = sections();

  /** The switches and the full settings of one {@code adaptive} section. */
  record Result(AdaptiveConfig config, AdaptiveSettings settings) {}

  private AdaptiveReader() {}

  private static Map<String, Map<String, Type>> sections() {
    Map<String, Map<String, Type>> s = new LinkedHashMap<>();
    s.put("latency-aimd", fields("period", Type.DURATION, "low", Type.DURATION, "high", Type.DURATION,
        "increase", Type.NUMBER, "decrease", Type.NUMBER, "max-rate", Type.RATE, "min-rate", Type.RATE));
    s.put("error-backoff", fields("period", Type.DURATION, "window", Type.DURATION, "threshold", Type.NUMBER,
        "factor", Type.NUMBER, "min-rate", Type.RATE, "min-responses", Type.INTEGER));
    s.put("gradient", fields("period", Type.DURATION, "buffer", Type.NUMBER, "headroom", Type.NUMBER,
        "smoothing", Type.NUMBER, "min-rtt-window", Type.DURATION));
    s.put("pi", fields("period", Type.DURATION, "target", Type.DURATION, "kp", Type.NUMBER, "ki", Type.NUMBER,
        "max-step", Type.NUMBER));
    s.put("static", fields("rate", Type.RATE));
    s.put("limits", fields("min-rate", Type.RATE, "max-rate", Type.RATE, "ramp-up", Type.NUMBER,
        "ramp-down", Type.NUMBER, "warmup-intervals", Type.INTEGER, "warmup-ramp-up", Type.NUMBER,
        "demand-headroom", Type.NUMBER));
    return s;
  }

  private static Map<String, Type> fields(Object... pairs) {
    Map<String, Type> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (Type) pairs[i + 1]);
    }
    return m;
  }

  /**
   * Returns the section {@code doc.adaptive} describes (defaults when absent), or {@code null}
   * after recording its problems.
   */
  static Result read(Mapping doc, Problems problems) {
    Mapping m = doc.mapping("adaptive", KEYS);
    if (m == null) {
      return null;
    }
    int before = problems.count();
    AdaptiveConfig d = AdaptiveConfig.DEFAULT;
    Boolean enabled = or(m.bool("enabled"), d.enabled());
    Boolean shadow = or(m.bool("shadow"), d.shadow());
    Duration interval = or(m.duration("interval"), d.interval());
    Map<String, Object> plain = new LinkedHashMap<>();
    plain.put("enabled", enabled);
    plain.put("shadow", shadow);
    plain.put("interval", interval.toString());
    List<String> controllers = controllers(m, problems);
    if (controllers != null) {
      plain.put("controllers", controllers);
    }
    for (Map.Entry<String, Map<String, Type>> section : SECTIONS.entrySet()) {
      Mapping s = m.mapping(section.getKey(), List.copyOf(section.getValue().keySet()));
      if (s != null && m.has(section.getKey())) {
        plain.put(section.getKey(), values(s, section.getValue()));
      }
    }
    String burst = m.string("burst", false);
    if (burst != null) {
      if (burst.equals("proportional") || burst.equals("fixed")) {
        plain.put("burst", burst);
      } else {
        problems.invalid(m.node("burst"), m.path("burst"), "proportional or fixed");
      }
    }
    Long minBurst = m.integer("min-burst", 1, Long.MAX_VALUE, false);
    if (minBurst != null) {
      plain.put("min-burst", minBurst);
    }
    if (problems.count() != before) {
      return null;
    }
    AdaptiveConfig config = problems.build(m.line(), m.path(), () -> new AdaptiveConfig(enabled, shadow, interval));
    try {
      AdaptiveSettings settings = AdaptiveSettingsReader.read(plain);
      return config == null ? null : new Result(config, settings);
    } catch (IllegalArgumentException e) {
      for (String line : String.valueOf(e.getMessage()).split("\n")) {
        report(doc.node("adaptive"), m, line, problems);
      }
      return null;
    }
  }

  private static List<String> controllers(Mapping m, Problems problems) {
    String expected = "a list such as [latency-aimd, error-backoff]";
    List<YamlNode> items = m.list("controllers", expected);
    if (items == null || !m.has("controllers")) {
      return null;
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      YamlNode item = items.get(i);
      if (item.kind() != YamlNode.Kind.STRING) {
        if (item.kind() != YamlNode.Kind.INVALID) {
          problems.invalid(item, m.path("controllers") + "[" + i + "]",
              "one of " + String.join(", ", AdaptiveSettings.CONTROLLER_NAMES));
        }
        return null;
      }
      names.add(item.text());
    }
    return names;
  }

  /** Returns the present fields of {@code s}, type-checked and normalized for the settings reader. */
  private static Map<String, Object> values(Mapping s, Map<String, Type> types) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Type> field : types.entrySet()) {
      String key = field.getKey();
      Object value = switch (field.getValue()) {
        case DURATION -> {
          Duration v = s.duration(key);
          yield v == null ? null : v.toString();
        }
        case RATE -> {
          Rate v = s.rate(key, false);
          yield v == null ? null : java.math.BigDecimal.valueOf(v.perSecond()).toPlainString();
        }
        case NUMBER -> s.number(key);
        case INTEGER -> s.integer(key, 0, Integer.MAX_VALUE, false);
      };
      if (value != null) {
        out.put(key, value);
      }
    }
    return out;
  }

  /**
   * Records one {@code adaptive.path: message} line of the settings reader on the line of the
   * value it names (for a pair such as {@code low/high}, the second one named; the section's line when
   * the value is absent).
   */
  private static void report(YamlNode section, Mapping m, String text, Problems problems) {
    int colon = text.indexOf(": ");
    if (colon < 0) {
      problems.add(m.line(), m.path(), text);
      return;
    }
    String path = text.substring(0, colon);
    String message = text.substring(colon + 2);
    problems.add(lineOf(section, path, m.line()), path, message);
  }

  private static int lineOf(YamlNode section, String path, int fallback) {
    if (section == null || !path.startsWith("adaptive")) {
      return fallback;
    }
    YamlNode node = section;
    int line = fallback;
    String rest = path.substring("adaptive".length());
    for (String segment : rest.isEmpty() ? new String[0] : rest.substring(1).split("\\.")) {
      int bracket = segment.indexOf('[');
      String name = bracket < 0 ? segment : segment.substring(0, bracket);
      YamlNode next = null;
      for (String part : name.split("/")) {
        YamlNode child = node.fields().get(part);
        if (child != null && child.kind() != YamlNode.Kind.NULL) {
          next = child;
        }
      }
      if (next == null) {
        return line;
      }
      node = next;
      line = node.line();
      if (bracket >= 0 && node.kind() == YamlNode.Kind.LIST) {
        int index = Integer.parseInt(segment.substring(bracket + 1, segment.indexOf(']')));
        if (index < node.items().size()) {
          node = node.items().get(index);
          line = node.line();
        }
      }
    }
    return line;
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
