package dev.sluice.sim;

import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.YamlNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads one entry of a scenario's {@code sources} list. */
final class Sources {

  private Sources() {}

  static Scenario.Source read(Fields f, String p, YamlNode raw, int seconds, double capacity, double scale, Path dir,
      Scenario.LimiterModel limiter) {
    Mapping m = f.map(p, raw, raw.line(), List.of("name", "clients", "zipf", "tier", "rate", "costs", "compliant",
        "retry"));
    String name = f.string(m, "name", "source-" + p);
    int clients = f.integer(m, "clients", 100, 1, 10_000_000);
    double zipf = f.number(m, "zipf", 0, 0, 10);
    String tier = f.string(m, "tier", limiter.tiers().get(0).name());
    if (limiter.tiers().stream().noneMatch(x -> x.name().equals(tier))) {
      f.problem(m, "tier", "one of " + limiter.tiers().stream().map(Scenario.TierModel::name).toList());
    }
    List<Scenario.CostClass> costs = new ArrayList<>();
    List<YamlNode> rc = f.list(m, "costs");
    for (int i = 0; i < rc.size(); i++) {
      Mapping c = f.map(m.path("costs") + "[" + i + "]", rc.get(i), m.line(), List.of("cost", "weight"));
      costs.add(new Scenario.CostClass(f.integer(c, "cost", 1, 1, 1_000_000), f.number(c, "weight", 1, 1e-9, 1e9)));
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
    double[] rates = Profiles.read(f, m, "rate", seconds, capacity / meanCost, scale, dir);
    return new Scenario.Source(name, clients, zipf, tier, rates, costs, f.bool(m, "compliant", true),
        retry(f, f.map(m, "retry", List.of("max-attempts", "base", "max-delay", "budget", "on-rejected",
            "on-error", "respect-retry-after")), m.has("retry")));
  }

  private static Scenario.Retry retry(Fields f, Mapping m, boolean present) {
    if (!present) {
      return Scenario.Retry.NONE;
    }
    return new Scenario.Retry(
        f.integer(m, "max-attempts", 3, 1, 100),
        f.millis(m, "base", 100),
        f.millis(m, "max-delay", 10_000),
        f.number(m, "budget", -1, -1, 1000),
        f.bool(m, "on-rejected", true),
        f.bool(m, "on-error", true),
        f.bool(m, "respect-retry-after", true));
  }
}
