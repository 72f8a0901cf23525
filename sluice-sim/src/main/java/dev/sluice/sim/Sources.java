package dev.sluice.sim;

import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one entry of a scenario's {@code sources} list: an open-loop source with {@code rate}
 * phases, a replay of an access log ({@code access-log}, see {@link AccessLogSources}), or a
 * closed-loop one with {@code vus} (virtual users, as k6's {@code ramping-vus}):
 * <pre>
 * vus:
 *   think: 10ms                          # sleep after each response (k6: sleep(0.01))
 *   stages:                              # linear from the previous target (0 at the start)
 *     - {duration: 30s, target: 1000}
 * </pre>
 */
final class Sources {

  private Sources() {}

  static List<Scenario.Source> read(Fields f, String p, YamlNode raw, int seconds, double capacity, double scale,
      Path dir, Scenario.LimiterModel limiter, AccessLogSources.Cache logs) {
    Mapping m = f.map(p, raw, raw.line(), List.of("name", "clients", "zipf", "tier", "rate", "vus", "costs",
        "compliant", "retry", AccessLogSources.KEY));
    String name = f.string(m, "name", "source-" + p);
    if (m.has(AccessLogSources.KEY)) {
      String tier = tier(f, m, limiter);
      return AccessLogSources.read(f, m, name, tier, seconds, limiter, dir, logs, retry(f, m));
    }
    int clients = f.integer(m, "clients", 100, 1, 10_000_000);
    double zipf = f.number(m, "zipf", 0, 0, 10);
    boolean closed = m.has("vus");
    if (closed && m.has("rate")) {
      f.problem(m, "rate", "either rate phases or vus, not both");
    }
    if (closed && m.has("zipf")) {
      f.problem(m, "zipf", "no zipf with vus: virtual user v keeps client key v mod clients");
    }
    String tier = tier(f, m, limiter);
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
    List<Integer> starts = new ArrayList<>();
    double[] rates = closed ? new double[seconds] : Profiles.read(f, m, "rate", seconds, capacity / meanCost, scale,
        dir, starts);
    Scenario.ClosedLoop vus = closed ? closedLoop(f, f.map(m, "vus", List.of("think", "stages")), scale) : null;
    return List.of(new Scenario.Source(name, clients, zipf, tier, rates, costs, f.bool(m, "compliant", true),
        retry(f, m), starts.stream().mapToInt(Integer::intValue).toArray(), vus, null));
  }

  private static String tier(Fields f, Mapping m, Scenario.LimiterModel limiter) {
    String tier = f.string(m, "tier", limiter.tiers().get(0).name());
    if (limiter.tiers().stream().noneMatch(x -> x.name().equals(tier))) {
      f.problem(m, "tier", "one of " + limiter.tiers().stream().map(Scenario.TierModel::name).toList());
    }
    return tier;
  }

  /**
   * Returns the length of a source's rate phases, stages or replayed log, seconds (0 if none parse);
   * reports nothing.
   */
  static int length(YamlNode source, Path dir, AccessLogSources.Cache logs) {
    if (source.kind() != YamlNode.Kind.MAPPING) {
      return 0;
    }
    if (!Fields.absent(source.fields().get(AccessLogSources.KEY))) {
      return AccessLogSources.length(source, dir, logs);
    }
    YamlNode vus = source.fields().get("vus");
    if (Fields.absent(vus) || vus.kind() != YamlNode.Kind.MAPPING) {
      return Profiles.length(source.fields().get("rate"));
    }
    YamlNode stages = vus.fields().get("stages");
    double total = 0;
    Fields silent = new Fields(new Problems(""));
    for (YamlNode st : Fields.absent(stages) || stages.kind() != YamlNode.Kind.LIST ? List.<YamlNode>of()
        : stages.items()) {
      if (st.kind() == YamlNode.Kind.MAPPING) {
        total += Math.max(0, silent.millis("", st.fields().get("duration"), 0) / 1000);
      }
    }
    return (int) Math.ceil(total);
  }

  private static Scenario.ClosedLoop closedLoop(Fields f, Mapping m, double scale) {
    double think = f.millis(m, "think", 0);
    if (!(think > 0)) {
      f.problem(m, "think", "a positive duration such as 10ms (k6's sleep after each request)");
      think = 1;
    }
    List<Scenario.Stage> stages = new ArrayList<>();
    List<YamlNode> raw = f.list(m, "stages");
    for (int i = 0; i < raw.size(); i++) {
      Mapping st = f.map(m.path("stages") + "[" + i + "]", raw.get(i), m.line(), List.of("duration", "target"));
      double seconds = f.millis(st, "duration", 0) / 1000;
      if (!(seconds > 0)) {
        f.problem(st, "duration", "a positive duration such as 30s");
        continue;
      }
      int target = f.integer(st, "target", 0, 0, 10_000_000);
      stages.add(new Scenario.Stage(seconds, (int) Math.round(target * scale)));
    }
    if (stages.isEmpty()) {
      f.problem(m, "stages", "at least one {duration, target} stage");
    }
    return new Scenario.ClosedLoop(think, stages);
  }

  /** Reads the source's {@code retry} mapping; none when absent. */
  private static Scenario.Retry retry(Fields f, Mapping source) {
    Mapping m = f.map(source, "retry", List.of("max-attempts", "base", "max-delay", "budget", "on-rejected",
        "on-error", "respect-retry-after"));
    if (!source.has("retry")) {
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
