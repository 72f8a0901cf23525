package dev.sluice.core;

import java.util.List;

/**
 * An ordered list of {@link CostRule}s: the first rule that matches a request gives its cost,
 * and a request no rule matches costs {@link #DEFAULT_COST}. Immutable and thread-safe.
 */
public final class CostTable {

  /** The cost of a request no rule matches. */
  public static final int DEFAULT_COST = 1;

  private static final CostTable EMPTY = new CostTable(List.of());

  private final CostRule[] rules;

  private CostTable(List<CostRule> rules) {
    this.rules = rules.toArray(CostRule[]::new);
  }

  /** Returns a table of {@code rules} in order. */
  public static CostTable of(List<CostRule> rules) {
    return rules.isEmpty() ? EMPTY : new CostTable(rules);
  }

  /** Returns the cost of a request: the first matching rule's, or {@link #DEFAULT_COST}. */
  public int costOf(String method, String path) {
    for (CostRule rule : rules) {
      if (rule.matches(method, path)) {
        return rule.cost();
      }
    }
    return DEFAULT_COST;
  }

  /** Returns the rules in order. */
  public List<CostRule> rules() {
    return List.of(rules);
  }

  @Override
  public String toString() {
    return "CostTable" + List.of(rules);
  }
}
