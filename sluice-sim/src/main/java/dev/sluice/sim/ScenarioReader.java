package dev.sluice.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.adaptive.AdaptiveSettingsReader;
import dev.sluice.adaptive.Composition;
import dev.sluice.adaptive.ErrorBackoffController;
import dev.sluice.adaptive.LatencyAimdController;
import dev.sluice.core.Limit;
import dev.sluice.core.Rate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads scenario YAML files (see {@code scenarios/*.yaml} and {@code docs/simulator.md}) into
 * {@link Scenario}s. Every problem is reported, each as {@code FILE: path: value (expected: ...)},
 * in one {@link IllegalArgumentException}. A scale factor shrinks or grows a scenario's capacity,
 * rates and rate caps together (CI smoke runs use small factors). Stateless and thread-safe.
 */
public final class ScenarioReader {

  private static final Set<String> KEYS = Set.of("name", "description", "duration", "seeds", "slo", "backend",
      "limiter", "sources", "static-fraction", "oracle-utilisation", "adaptive", "policies");

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

  /** Parses scenario YAML {@code text}; {@code where} prefixes problem lines. */
  public static Scenario parse(String text, String defaultName, Path dir, double scale, String where) {
    if (!(scale > 0)) {
      throw new IllegalArgumentException("scale: " + scale + " (expected: > 0)");
    }
    Object doc;
    try {
      doc = new ObjectMapper(new YAMLFactory()).readValue(text, Object.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(where + ": not valid YAML: " + e.getMessage(), e);
    }
    Tree t = new Tree();
    Scenario s = scenario(t, t.map("scenario", doc, KEYS), defaultName, dir, scale);
    if (!t.problems.isEmpty()) {
      List<String> lines = new ArrayList<>();
      for (String p : t.problems) {
        lines.add(where + ": " + p);
      }
      throw new IllegalArgumentException(String.join("\n", lines));
    }
    return s;
  }

  private static Scenario scenario(Tree t, Map<String, Object> m, String defaultName, Path dir, double scale) {
    String name = t.string("name", m.get("name"), defaultName);
    String description = t.string("description", m.get("description"), "").strip();
    int seeds = t.integer("seeds", m.get("seeds"), 5, 1, 1000);
    double slo = t.millis("slo", m.get("slo"), 300);
    Scenario.Backend backend = backend(t, t.map("backend", m.get("backend"), Set.of("workers", "service", "deadline",
        "error-rate", "overload-errors", "outage-latency", "schedule")), scale);
    double capacity = backend.workers() * 1000.0 / backend.service().meanMillis();

    List<?> rawSources = t.list("sources", m.get("sources"));
    int seconds = (int) Math.round(t.millis("duration", m.get("duration"), 0) / 1000);
    if (seconds <= 0) {
      for (int i = 0; i < rawSources.size(); i++) {
        if (rawSources.get(i) instanceof Map<?, ?> sm) {
          seconds = Math.max(seconds, Profiles.length(t, "sources[" + i + "].rate", sm.get("rate")));
        }
      }
    }
    if (seconds <= 0) {
      t.problem("duration", m.get("duration"), "a positive duration, or sources with rate phases");
      seconds = 1;
    }
    Scenario.LimiterModel limiter = limiter(t, t.map("limiter", m.get("limiter"), Set.of("global-burst", "tiers")),
        capacity, scale);
    List<Scenario.Source> sources = new ArrayList<>();
    for (int i = 0; i < rawSources.size(); i++) {
      sources.add(Sources.read(t, "sources[" + i + "]", rawSources.get(i), seconds, capacity, scale, dir, limiter));
    }
    if (sources.isEmpty()) {
      t.problem("sources", m.get("sources"), "at least one traffic source");
    }
    double staticFraction = t.number("static-fraction", m.get("static-fraction"), 0.75, 0.001, 100);
    double oracle = t.number("oracle-utilisation", m.get("oracle-utilisation"), 0.95, 0.01, 2);
    AdaptiveSettings adaptive = AdaptiveSettings.DEFAULTS;
    Object a = m.get("adaptive");
    try {
      @SuppressWarnings("unchecked")
      Map<String, ?> am = a instanceof Map<?, ?> ? (Map<String, ?>) a : null;
      if (a != null && am == null) {
        t.problem("adaptive", a, "a mapping");
      }
      adaptive = scaleRates(AdaptiveSettingsReader.read(am), scale);
    } catch (IllegalArgumentException e) {
      t.problems.addAll(List.of(e.getMessage().split("\n")));
    }
    Map<String, List<String>> policies = new LinkedHashMap<>(Policy.DEFAULT_CONTROLLERS);
    Map<String, Object> pm = t.map("policies", m.get("policies"), Set.of("aimd", "gradient", "pi", "combined"));
    for (Map.Entry<String, Object> e : pm.entrySet()) {
      List<String> names = new ArrayList<>();
      for (Object o : t.list("policies." + e.getKey(), e.getValue())) {
        String n = String.valueOf(o);
        if (!AdaptiveSettings.CONTROLLER_NAMES.contains(n) || n.equals("static")) {
          t.problem("policies." + e.getKey(), n, "controllers among latency-aimd, error-backoff, gradient, pi");
        }
        names.add(n);
      }
      policies.put(e.getKey(), List.copyOf(names));
    }
    return new Scenario(name, description, seconds, seeds, slo, backend, limiter, sources, staticFraction, oracle,
        adaptive, policies);
  }

  private static Scenario.Backend backend(Tree t, Map<String, Object> m, double scale) {
    int workers = Math.max(1, (int) Math.round(t.integer("backend.workers", m.get("workers"), 10, 1, 1_000_000) * scale));
    Map<String, Object> s = t.map("backend.service", m.get("service"),
        Set.of("distribution", "mean", "cv", "slow-fraction", "slow-mean"));
    String dist = t.string("backend.service.distribution", s.get("distribution"), "lognormal");
    if (!List.of("lognormal", "exponential", "bimodal").contains(dist)) {
      t.problem("backend.service.distribution", dist, "lognormal, exponential or bimodal");
      dist = "lognormal";
    }
    double mean = t.millis("backend.service.mean", s.get("mean"), 50);
    if (!(mean > 0)) {
      t.problem("backend.service.mean", s.get("mean"), "> 0");
      mean = 50;
    }
    Scenario.Service service = new Scenario.Service(dist, mean,
        t.number("backend.service.cv", s.get("cv"), 0.5, 0, 10),
        t.number("backend.service.slow-fraction", s.get("slow-fraction"), 0, 0, 1),
        t.millis("backend.service.slow-mean", s.get("slow-mean"), mean * 10));
    List<Scenario.Change> schedule = new ArrayList<>();
    List<?> raw = t.list("backend.schedule", m.get("schedule"));
    for (int i = 0; i < raw.size(); i++) {
      String p = "backend.schedule[" + i + "]";
      Map<String, Object> c = t.map(p, raw.get(i), Set.of("at", "workers", "service-factor", "down", "error-rate"));
      Integer w = c.get("workers") == null ? null
          : Math.max(1, (int) Math.round(t.integer(p + ".workers", c.get("workers"), 1, 1, 1_000_000) * scale));
      Double f = c.get("service-factor") == null ? null : t.number(p + ".service-factor", c.get("service-factor"), 1, 0.01, 1000);
      Boolean down = c.get("down") == null ? null : t.bool(p + ".down", c.get("down"), false);
      Double err = c.get("error-rate") == null ? null : t.number(p + ".error-rate", c.get("error-rate"), 0, 0, 1);
      schedule.add(new Scenario.Change((int) Math.round(t.millis(p + ".at", c.get("at"), 0) / 1000), w, f, down, err));
    }
    schedule.sort(java.util.Comparator.comparingInt(Scenario.Change::at));
    return new Scenario.Backend(workers, service, t.millis("backend.deadline", m.get("deadline"), 1000),
        t.number("backend.error-rate", m.get("error-rate"), 0, 0, 1),
        t.number("backend.overload-errors", m.get("overload-errors"), 0, 0, 100),
        t.millis("backend.outage-latency", m.get("outage-latency"), 5), schedule);
  }

  private static Scenario.LimiterModel limiter(Tree t, Map<String, Object> m, double capacity, double scale) {
    double burstSeconds = t.millis("limiter.global-burst", m.get("global-burst"), 100) / 1000;
    List<Scenario.TierModel> tiers = new ArrayList<>();
    Map<String, Object> tm = t.map("limiter.tiers", m.get("tiers"), null == m.get("tiers") ? Set.of()
        : keysOf(m.get("tiers")));
    for (Map.Entry<String, Object> e : tm.entrySet()) {
      String p = "limiter.tiers." + e.getKey();
      Map<String, Object> tier = t.map(p, e.getValue(), Set.of("per-client", "share"));
      Map<String, Object> pc = t.map(p + ".per-client", tier.get("per-client"), Set.of("burst", "rate"));
      double rate = t.rate(p + ".per-client.rate", pc.get("rate"), capacity, capacity) * rateScale(pc.get("rate"), scale);
      double burst = pc.get("burst") instanceof String bs && !bs.strip().matches("[0-9]+")
          ? rate * t.millis(p + ".per-client.burst", bs, 1000) / 1000
          : t.number(p + ".per-client.burst", pc.get("burst"), rate, 1, 1e12) * scale;
      Limit limit = Limit.of(Math.max(1, Math.round(burst)), toRate(Math.max(rate, 0.001)));
      tiers.add(new Scenario.TierModel(e.getKey(), limit, t.number(p + ".share", tier.get("share"), 1, 0.001, 1)));
    }
    if (tiers.isEmpty()) {
      tiers.add(new Scenario.TierModel("default", Limit.of(Math.max(1, Math.round(capacity)), toRate(capacity)), 1));
    }
    return new Scenario.LimiterModel(burstSeconds, tiers);
  }

  private static Set<String> keysOf(Object o) {
    return o instanceof Map<?, ?> m ? new java.util.HashSet<>(m.keySet().stream().map(String::valueOf).toList()) : Set.of();
  }

  /** Rates written as multiples of capacity are already scaled; absolute ones scale here. */
  static double rateScale(Object written, double scale) {
    return written != null && written.toString().strip().toLowerCase(java.util.Locale.ROOT).endsWith("x") ? 1 : scale;
  }

  static Rate toRate(double perSecond) {
    return new Rate(Math.max(1, Math.round(perSecond * 1000)), 1_000_000_000_000L);
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
        s.minBurst());
    return s.staticRate() == null ? out : out.withStaticRate(s.staticRate().rate() * f);
  }
}
