package dev.sluice.sim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads one entry of a scenario's {@code sources} list. */
final class Sources {

  private Sources() {}

  static Scenario.Source read(Tree t, String p, Object raw, int seconds, double capacity, double scale, Path dir,
      Scenario.LimiterModel limiter) {
    Map<String, Object> m = t.map(p, raw, Set.of("name", "clients", "zipf", "tier", "rate", "costs", "compliant",
        "retry"));
    String name = t.string(p + ".name", m.get("name"), "source-" + p);
    int clients = t.integer(p + ".clients", m.get("clients"), 100, 1, 10_000_000);
    double zipf = t.number(p + ".zipf", m.get("zipf"), 0, 0, 10);
    String tier = t.string(p + ".tier", m.get("tier"), limiter.tiers().get(0).name());
    if (limiter.tiers().stream().noneMatch(x -> x.name().equals(tier))) {
      t.problem(p + ".tier", tier, "one of " + limiter.tiers().stream().map(Scenario.TierModel::name).toList());
    }
    List<Scenario.CostClass> costs = new ArrayList<>();
    List<?> rc = t.list(p + ".costs", m.get("costs"));
    for (int i = 0; i < rc.size(); i++) {
      String q = p + ".costs[" + i + "]";
      Map<String, Object> c = t.map(q, rc.get(i), Set.of("cost", "weight"));
      costs.add(new Scenario.CostClass(t.integer(q + ".cost", c.get("cost"), 1, 1, 1_000_000),
          t.number(q + ".weight", c.get("weight"), 1, 1e-9, 1e9)));
    }
    if (costs.isEmpty()) {
      costs.add(new Scenario.CostClass(1, 1));
    }
    double meanCost = 0;
    double w = 0;
    for (Scenario.CostClass c : costs) {
      meanCost += c.cost() * c.weight();
      w += c.weight();
    }
    meanCost /= w;
    double[] rates = Profiles.read(t, p + ".rate", m.get("rate"), seconds, capacity / meanCost, scale, dir);
    return new Scenario.Source(name, clients, zipf, tier, rates, costs, t.bool(p + ".compliant", m.get("compliant"), true),
        retry(t, p + ".retry", m.get("retry")));
  }

  private static Scenario.Retry retry(Tree t, String p, Object raw) {
    if (raw == null) {
      return Scenario.Retry.NONE;
    }
    Map<String, Object> m = t.map(p, raw, Set.of("max-attempts", "base", "max-delay", "budget", "on-rejected",
        "on-error", "respect-retry-after"));
    return new Scenario.Retry(
        t.integer(p + ".max-attempts", m.get("max-attempts"), 3, 1, 100),
        t.millis(p + ".base", m.get("base"), 100),
        t.millis(p + ".max-delay", m.get("max-delay"), 10_000),
        t.number(p + ".budget", m.get("budget"), -1, -1, 1000),
        t.bool(p + ".on-rejected", m.get("on-rejected"), true),
        t.bool(p + ".on-error", m.get("on-error"), true),
        t.bool(p + ".respect-retry-after", m.get("respect-retry-after"), true));
  }
}
