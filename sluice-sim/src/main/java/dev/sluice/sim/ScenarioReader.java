package dev.sluice.sim;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.adaptive.Composition;
import dev.sluice.adaptive.ErrorBackoffController;
import dev.sluice.adaptive.LatencyAimdController;
import dev.sluice.config.AdaptiveReader;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import dev.sluice.config.yaml.YamlReader;
import dev.sluice.core.Limit;
import dev.sluice.core.Rate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads scenario YAML files (see {@code scenarios/*.yaml} and {@code docs/simulator.md}) into
 * {@link Scenario}s, through the config's YAML reader: every problem is reported, each as {@code
 * FILE:line: path: value (expected: ...)}, in one {@link IllegalArgumentException}, and the {@code
 * adaptive} section is read by the config's {@link AdaptiveReader}, exactly as in a config file. A
 * scale factor shrinks or grows a scenario's capacity, rates and rate caps together (CI smoke runs
 * use small factors). Stateless and thread-safe.
 */
public final class ScenarioReader {

  private static final List<String> KEYS = List.of("name", "description", "duration", "seeds", "slo", "backend",
      "limiter", "sources", "static-fraction", "oracle-utilisation", "adaptive", "policies", "thresholds");

  private ScenarioReader() {}

  /** Reads {@code file} at scale 1. */
  public static Scenario read(Path file) throws IOException {
    return read(file, 1.0);
  }

  /**
   * Reads {@code file}, multiplying workers, rates and rate caps by {@code scale}.
   *
   * @throws IllegalArgumentException listing every problem in the file
   */
  public static Scenario read(Path file, double scale) throws IOException {
    String text = Files.readString(file);
    String base = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, base, dir, scale, file.toString());
  }

  /** Parses scenario YAML {@code text}; {@code where} names the source in problem lines. */
  public static Scenario parse(String text, String defaultName, Path dir, double scale, String where) {
    if (!(scale > 0)) {
      throw new IllegalArgumentException("scale: " + scale + " (expected: > 0)");
    }
    Problems problems = new Problems(where);
    YamlNode root = YamlReader.read(text, problems);
    Scenario s = null;
    if (root != null) {
      Fields f = new Fields(problems);
      s = scenario(f, problems, f.map("", root, root.line(), KEYS), defaultName, dir, scale);
    }
    if (problems.count() > 0) {
      throw new IllegalArgumentException(String.join("\n",
          problems.sorted().stream().map(ConfigProblem::toString).toList()));
    }
    return s;
  }

  private static Scenario scenario(Fields f, Problems problems, Mapping m, String defaultName, Path dir,
      double scale) {
    String name = f.string(m, "name", defaultName);
    String description = f.string(m, "description", "").strip();
    int seeds = f.integer(m, "seeds", 5, 1, 1000);
    double slo = f.millis(m, "slo", 300);
    Scenario.Backend backend = backend(f, f.map(m, "backend", List.of("workers", "service", "deadline",
        "error-rate", "overload-errors", "outage-latency", "schedule")), scale);
    double capacity = backend.workers() * 1000.0 / backend.service().meanMillis();

    List<YamlNode> rawSources = f.list(m, "sources");
    AccessLogSources.Cache logs = new AccessLogSources.Cache();
    int seconds = (int) Math.round(f.millis(m, "duration", 0) / 1000);
    if (seconds <= 0) {
      for (YamlNode source : rawSources) {
        seconds = Math.max(seconds, Sources.length(source, dir, logs));
      }
    }
    if (seconds <= 0) {
      f.problem(m, "duration", "a positive duration, or sources with rate phases");
      seconds = 1;
    }
    Scenario.LimiterModel limiter = limiter(f, f.map(m, "limiter", List.of("global-burst", "tiers")),
        capacity, scale);
    List<Scenario.Source> sources = new ArrayList<>();
    for (int i = 0; i < rawSources.size(); i++) {
      sources.addAll(Sources.read(f, "sources[" + i + "]", rawSources.get(i), seconds, capacity, scale, dir, limiter,
          logs));
    }
    if (sources.isEmpty()) {
      f.problem(m, "sources", "at least one traffic source");
    }
    double staticFraction = f.number(m, "static-fraction", 0.75, 0.001, 100);
    double oracle = f.number(m, "oracle-utilisation", 0.95, 0.01, 2);
    AdaptiveSettings adaptive = AdaptiveReader.read(m.mapping("adaptive", AdaptiveReader.KEYS), problems);
    adaptive = adaptive == null ? AdaptiveSettings.DEFAULTS : scaleRates(adaptive, scale);
    Map<String, List<String>> policies = new LinkedHashMap<>(Policy.DEFAULT_CONTROLLERS);
    Mapping pm = f.map(m, "policies", List.of("aimd", "gradient", "pi", "combined"));
    for (String key : pm.fields().keySet()) {
      List<String> names = new ArrayList<>();
      for (YamlNode item : f.list(pm, key)) {
        String n = item.text();
        if (!AdaptiveSettings.CONTROLLER_NAMES.contains(n) || n.equals("static")) {
          f.problem(pm.path(key), item, pm.line(key), "controllers among latency-aimd, error-backoff, gradient, pi");
        }
        names.add(n);
      }
      policies.put(key, List.copyOf(names));
    }
    return new Scenario(name, description, seconds, seeds, slo, backend, limiter, sources, staticFraction, oracle,
        adaptive, policies, thresholds(f, f.map(m, "thresholds", List.of("p50", "p90", "p95", "p99"))));
  }

  /** Reads {@code thresholds: {p95: [150ms, 300ms]}}: per percentile, one bound or a list of bounds. */
  private static List<Scenario.Threshold> thresholds(Fields f, Mapping m) {
    List<Scenario.Threshold> out = new ArrayList<>();
    for (String key : m.fields().keySet()) {
      double percentile = Double.parseDouble(key.substring(1));
      YamlNode v = m.node(key);
      List<YamlNode> bounds = v.kind() == YamlNode.Kind.LIST ? v.items() : List.of(v);
      for (YamlNode b : bounds) {
        double ms = f.millis(m.path(key), b, -1);
        if (ms > 0) {
          out.add(new Scenario.Threshold(percentile, ms));
        } else if (ms == 0 || Fields.absent(b)) { // a value that is no duration is reported by millis
          f.problem(m.path(key), b, m.line(key), "a duration such as 150ms, or a list of them");
        }
      }
    }
    return out;
  }

  private static Scenario.Backend backend(Fields f, Mapping m, double scale) {
    int workers = Math.max(1, (int) Math.round(f.integer(m, "workers", 10, 1, 1_000_000) * scale));
    Mapping s = f.map(m, "service", List.of("distribution", "mean", "cv", "slow-fraction", "slow-mean"));
    String dist = f.string(s, "distribution", "lognormal");
    if (!List.of("lognormal", "exponential", "bimodal").contains(dist)) {
      f.problem(s, "distribution", "lognormal, exponential or bimodal");
      dist = "lognormal";
    }
    double mean = f.millis(s, "mean", 50);
    if (!(mean > 0)) {
      f.problem(s, "mean", "> 0");
      mean = 50;
    }
    Scenario.Service service = new Scenario.Service(dist, mean,
        f.number(s, "cv", 0.5, 0, 10),
        f.number(s, "slow-fraction", 0, 0, 1),
        f.millis(s, "slow-mean", mean * 10));
    List<Scenario.Change> schedule = new ArrayList<>();
    List<YamlNode> raw = f.list(m, "schedule");
    for (int i = 0; i < raw.size(); i++) {
      Mapping c = f.map(m.path("schedule") + "[" + i + "]", raw.get(i), m.line(),
          List.of("at", "workers", "service-factor", "down", "error-rate"));
      Integer w = !c.has("workers") ? null
          : Math.max(1, (int) Math.round(f.integer(c, "workers", 1, 1, 1_000_000) * scale));
      Double sf = !c.has("service-factor") ? null : f.number(c, "service-factor", 1, 0.01, 1000);
      Boolean down = !c.has("down") ? null : f.bool(c, "down", false);
      Double err = !c.has("error-rate") ? null : f.number(c, "error-rate", 0, 0, 1);
      schedule.add(new Scenario.Change((int) Math.round(f.millis(c, "at", 0) / 1000), w, sf, down, err));
    }
    schedule.sort(java.util.Comparator.comparingInt(Scenario.Change::at));
    return new Scenario.Backend(workers, service, f.millis(m, "deadline", 1000),
        f.number(m, "error-rate", 0, 0, 1),
        f.number(m, "overload-errors", 0, 0, 100),
        f.millis(m, "outage-latency", 5), schedule);
  }

  private static Scenario.LimiterModel limiter(Fields f, Mapping m, double capacity, double scale) {
    double burstSeconds = f.millis(m, "global-burst", 100) / 1000;
    List<Scenario.TierModel> tiers = new ArrayList<>();
    Mapping tm = f.map(m, "tiers", null);
    for (String name : tm.fields().keySet()) {
      Mapping tier = f.map(tm, name, List.of("per-client", "share"));
      Mapping pc = f.map(tier, "per-client", List.of("burst", "rate"));
      double rate = f.rate(pc, "rate", capacity, capacity) * rateScale(pc.node("rate"), scale);
      YamlNode b = pc.node("burst");
      double burst = b != null && b.kind() == YamlNode.Kind.STRING && !b.text().strip().matches("[0-9]+")
          ? rate * f.millis(pc, "burst", 1000) / 1000
          : f.number(pc, "burst", rate, 1, 1e12) * scale;
      Limit limit = Limit.of(Math.max(1, Math.round(burst)), toRate(Math.max(rate, 0.001)));
      tiers.add(new Scenario.TierModel(name, limit, f.number(tier, "share", 1, 0.001, 1)));
    }
    if (tiers.isEmpty()) {
      tiers.add(new Scenario.TierModel("default", Limit.of(Math.max(1, Math.round(capacity)), toRate(capacity)), 1));
    }
    return new Scenario.LimiterModel(burstSeconds, tiers);
  }

  /** Rates written as multiples of capacity are already scaled; absolute ones scale here. */
  static double rateScale(YamlNode written, double scale) {
    return Fields.isMultiple(written) ? 1 : scale;
  }

  static Rate toRate(double perSecond) {
    return Rate.atMost(Math.max(1, Math.round(perSecond * 1000)), 1_000_000_000_000L);
  }

  /** Multiplies every absolute rate in the adaptive settings by {@code f}. */
  static AdaptiveSettings scaleRates(AdaptiveSettings s, double f) {
    if (f == 1) {
      return s;
    }
    LatencyAimdController a = s.latencyAimd();
    ErrorBackoffController e = s.errorBackoff();
    Composition l = s.limits();
    AdaptiveSettings out = new AdaptiveSettings(s.enabled(), s.shadow(), s.interval(), s.controllers(),
        new LatencyAimdController(a.period(), a.lowMillis(), a.highMillis(), a.increase(), a.decrease(),
            a.maxRate() * f, a.minRate() * f),
        new ErrorBackoffController(e.period(), e.window(), e.threshold(), e.factor(), e.minRate() * f, e.minResponses()),
        s.gradient(), s.pi(), s.staticRate(), l.withCaps(l.minRate() * f, l.maxRate() * f), s.proportionalBurst(),
        s.minBurst()).withCapacity(s.capacity()).withAnomaly(s.anomaly());
    return s.staticRate() == null ? out : out.withStaticRate(s.staticRate().rate() * f);
  }
}
