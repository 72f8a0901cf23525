package dev.sluice.config;

import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import dev.sluice.core.CostRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads the {@code costs} section: an ordered list of cost rules, first match wins. */
final class CostReader {

  static final List<String> KEYS = List.of("method", "path", "cost");

  private CostReader() {}

  /**
   * Reads {@code costs}. A rule costing more than any bucket a request must pass can hold is never
   * admitted, so it is reported: {@code largestBurst} is the largest per-client burst (0 if
   * unknown), {@code globalBurst} the global burst and {@code globalConcurrency} the global
   * concurrency level ({@code null} if none or unknown).
   *
   * @return the rules, or {@code null} if any had a problem
   */
  static List<CostRule> read(Mapping doc, long largestBurst, Long globalBurst, Long globalConcurrency,
      Problems problems) {
    List<YamlNode> items = doc.list("costs", "a list of cost rules such as {method: POST, path: /api/**, cost: 3}");
    if (items == null) {
      return null;
    }
    int before = problems.count();
    List<CostRule> rules = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      YamlNode item = items.get(i);
      String path = doc.path("costs") + "[" + i + "]";
      if (item.kind() == YamlNode.Kind.NULL) {
        problems.invalid(item, path, "a cost rule such as {method: POST, path: /api/**, cost: 3}");
        continue;
      }
      Mapping rule = Mapping.of(item, path, item.line(), problems, KEYS);
      CostRule r = rule == null ? null : rule(rule, largestBurst, globalBurst, globalConcurrency, problems);
      if (r != null) {
        rules.add(r);
      }
    }
    return problems.count() == before ? rules : null;
  }

  private static CostRule rule(Mapping rule, long largestBurst, Long globalBurst, Long globalConcurrency,
      Problems problems) {
    int before = problems.count();
    String method = rule.string("method", false);
    if (method == null) {
      method = "*";
    } else if (!method.equals("*") && !method.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
      problems.invalid(rule.node("method"), rule.path("method"), "an HTTP method such as POST, or *");
    }
    if (!rule.has("path")) {
      rule.missing("path", "a path pattern starting with /, such as /api/**");
    }
    String path = rule.string("path", false);
    if (path != null && (!path.startsWith("/") || path.chars().anyMatch(Character::isWhitespace))) {
      problems.invalid(rule.node("path"), rule.path("path"), "a path pattern starting with /, such as /api/**");
    }
    Long cost = rule.integer("cost", 1, Integer.MAX_VALUE, true);
    if (cost != null) {
      long cap = largestBurst;
      String what = "the largest per-client burst";
      if (globalBurst != null && (cap == 0 || globalBurst < cap)) {
        cap = globalBurst;
        what = "the global burst";
      }
      if (globalConcurrency != null && (cap == 0 || globalConcurrency < cap)) {
        cap = globalConcurrency;
        what = "global.concurrency";
      }
      if (cap > 0 && cost > cap) {
        problems.add(rule.line(), rule.path("cost"),
            cost + " (expected: <= " + cap + ", " + what + "; a higher cost is never admitted)");
      }
    }
    if (problems.count() != before || path == null || cost == null) {
      return null; // reported here, or an alias the YAML pass reported
    }
    String m = method.toUpperCase(Locale.ROOT);
    return problems.build(rule.line(), rule.path(), () -> CostRule.of(m, path, cost.intValue()));
  }
}
