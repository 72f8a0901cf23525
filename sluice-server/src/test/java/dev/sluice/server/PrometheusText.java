package dev.sluice.server;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Parses the Prometheus text format into samples keyed by name and sorted labels. */
final class PrometheusText {

  private final Map<String, Double> samples = new HashMap<>();

  private PrometheusText() {}

  static PrometheusText parse(String text) {
    PrometheusText p = new PrometheusText();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name;
      Map<String, String> labels = new LinkedHashMap<>();
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        String body = line.substring(brace + 1, line.lastIndexOf('}'));
        for (String pair : body.split(",(?=[a-zA-Z_]+=\")")) {
          if (!pair.isEmpty()) {
            int eq = pair.indexOf('=');
            labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
          }
        }
      } else {
        name = line.substring(0, space);
      }
      p.samples.put(key(name, labels), Double.parseDouble(line.substring(space + 1)));
    }
    return p;
  }

  private static String key(String name, Map<String, String> labels) {
    StringBuilder sb = new StringBuilder(name).append('{');
    labels.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> sb.append(e.getKey()).append('=').append(e.getValue()).append(','));
    return sb.append('}').toString();
  }

  /** Returns the value of {@code name} with exactly {@code labels} (k1, v1, k2, v2...), or null. */
  Double value(String name, String... labels) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      m.put(labels[i], labels[i + 1]);
    }
    return samples.get(key(name, m));
  }

  /** Returns whether any sample's name starts with {@code prefix}. */
  boolean hasPrefix(String prefix) {
    return samples.keySet().stream().anyMatch(k -> k.startsWith(prefix));
  }
}
