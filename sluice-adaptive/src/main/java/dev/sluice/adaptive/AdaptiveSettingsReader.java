package dev.sluice.adaptive;

import dev.sluice.core.Durations;
import dev.sluice.core.Rate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads the {@code adaptive} section of a YAML document, given as the plain tree a YAML parser
 * produces (maps, lists, strings, numbers, booleans), into {@link AdaptiveSettings}. Every missing
 * key takes its default (the seed's numbers); unknown keys and invalid values are collected and
 * reported together as one {@link IllegalArgumentException} whose message has one
 * {@code adaptive.path: value (expected: ...)} line per problem. Stateless and thread-safe.
 *
 * <pre>{@code
 * adaptive:
 *   enabled: true
 *   shadow: false
 *   interval: 5s
 *   controllers: [latency-aimd, error-backoff]    # also gradient, pi, static
 *   latency-aimd: { period: 5s, low: 150ms, high: 300ms, increase: 1.2, decrease: 0.7,
 *                   max-rate: 2000/s, min-rate: 200/s }
 *   error-backoff: { period: 10s, window: 60s, threshold: 0.05, factor: 0.5, min-rate: 100/s,
 *                    min-responses: 20 }
 *   gradient: { period: 5s, buffer: 0.25, headroom: 0, smoothing: 0.5, min-rtt-window: 30s }
 *   pi: { period: 5s, target: 200ms, kp: 0.4, ki: 0.25, max-step: 0.5 }
 *   static: { rate: 750/s }
 *   limits: { min-rate: 100/s, max-rate: 2000/s, ramp-up: 0.2, ramp-down: 0.5,
 *             warmup-intervals: 3, warmup-ramp-up: 0.1, demand-headroom: 1.5 }
 *   burst: proportional                           # or fixed
 *   min-burst: 1
 * }</pre>
 */
public final class AdaptiveSettingsReader {

  /** Keys accepted directly under {@code adaptive}. */
  public static final Set<String> KEYS = Set.of("enabled", "shadow", "interval", "controllers", "latency-aimd",
      "error-backoff", "gradient", "pi", "static", "limits", "burst", "min-burst");

  private final List<String> problems = new ArrayList<>();

  private AdaptiveSettingsReader() {}

  /**
   * Reads {@code section} (the value under {@code adaptive}; {@code null} for all defaults).
   *
   * @throws IllegalArgumentException listing every problem, one per line
   */
  public static AdaptiveSettings read(Map<String, ?> section) {
    AdaptiveSettingsReader r = new AdaptiveSettingsReader();
    AdaptiveSettings s = r.settings(section == null ? Map.of() : section);
    if (!r.problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", r.problems));
    }
    return s;
  }

  private AdaptiveSettings settings(Map<String, ?> m) {
    AdaptiveSettings d = AdaptiveSettings.DEFAULTS;
    unknown("adaptive", m, KEYS);
    boolean enabled = bool("adaptive.enabled", m.get("enabled"), d.enabled());
    boolean shadow = bool("adaptive.shadow", m.get("shadow"), d.shadow());
    Duration interval = duration("adaptive.interval", m.get("interval"), d.interval());
    List<String> controllers = names(m.get("controllers"), d.controllers());

    Map<String, ?> a = section(m, "latency-aimd", Set.of("period", "low", "high", "increase", "decrease",
        "max-rate", "min-rate"));
    LatencyAimdController la = d.latencyAimd();
    LatencyAimdController aimd = build(la, () -> new LatencyAimdController(
        duration("adaptive.latency-aimd.period", a.get("period"), la.period()),
        millis("adaptive.latency-aimd.low", a.get("low"), la.lowMillis()),
        millis("adaptive.latency-aimd.high", a.get("high"), la.highMillis()),
        number("adaptive.latency-aimd.increase", a.get("increase"), la.increase()),
        number("adaptive.latency-aimd.decrease", a.get("decrease"), la.decrease()),
        rate("adaptive.latency-aimd.max-rate", a.get("max-rate"), la.maxRate()),
        rate("adaptive.latency-aimd.min-rate", a.get("min-rate"), la.minRate())));

    Map<String, ?> e = section(m, "error-backoff", Set.of("period", "window", "threshold", "factor", "min-rate",
        "min-responses"));
    ErrorBackoffController ed = d.errorBackoff();
    ErrorBackoffController errors = build(ed, () -> new ErrorBackoffController(
        duration("adaptive.error-backoff.period", e.get("period"), ed.period()),
        duration("adaptive.error-backoff.window", e.get("window"), ed.window()),
        number("adaptive.error-backoff.threshold", e.get("threshold"), ed.threshold()),
        number("adaptive.error-backoff.factor", e.get("factor"), ed.factor()),
        rate("adaptive.error-backoff.min-rate", e.get("min-rate"), ed.minRate()),
        (long) number("adaptive.error-backoff.min-responses", e.get("min-responses"), ed.minResponses())));

    Map<String, ?> g = section(m, "gradient", Set.of("period", "buffer", "headroom", "smoothing", "min-rtt-window"));
    GradientController gd = d.gradient();
    GradientController gradient = build(gd, () -> new GradientController(
        duration("adaptive.gradient.period", g.get("period"), gd.period()),
        number("adaptive.gradient.buffer", g.get("buffer"), gd.buffer()),
        number("adaptive.gradient.headroom", g.get("headroom"), gd.headroom()),
        number("adaptive.gradient.smoothing", g.get("smoothing"), gd.smoothing()),
        duration("adaptive.gradient.min-rtt-window", g.get("min-rtt-window"), gd.minRttWindow())));

    Map<String, ?> p = section(m, "pi", Set.of("period", "target", "kp", "ki", "max-step"));
    PiController pd = d.pi();
    PiController pi = build(pd, () -> new PiController(
        duration("adaptive.pi.period", p.get("period"), pd.period()),
        millis("adaptive.pi.target", p.get("target"), pd.targetMillis()),
        number("adaptive.pi.kp", p.get("kp"), pd.kp()),
        number("adaptive.pi.ki", p.get("ki"), pd.ki()),
        number("adaptive.pi.max-step", p.get("max-step"), pd.maxStep())));

    Map<String, ?> st = section(m, "static", Set.of("rate"));
    StaticController staticRate = st.get("rate") == null ? null
        : build(null, () -> new StaticController(rate("adaptive.static.rate", st.get("rate"), 1), interval));

    Map<String, ?> l = section(m, "limits", Set.of("min-rate", "max-rate", "ramp-up", "ramp-down",
        "warmup-intervals", "warmup-ramp-up", "demand-headroom"));
    Composition ld = d.limits();
    Composition limits = build(ld, () -> new Composition(
        rate("adaptive.limits.min-rate", l.get("min-rate"), ld.minRate()),
        rate("adaptive.limits.max-rate", l.get("max-rate"), ld.maxRate()),
        number("adaptive.limits.ramp-up", l.get("ramp-up"), ld.rampUp()),
        number("adaptive.limits.ramp-down", l.get("ramp-down"), ld.rampDown()),
        (int) number("adaptive.limits.warmup-intervals", l.get("warmup-intervals"), ld.warmupIntervals()),
        number("adaptive.limits.warmup-ramp-up", l.get("warmup-ramp-up"), ld.warmupRampUp()),
        number("adaptive.limits.demand-headroom", l.get("demand-headroom"), ld.demandHeadroom())));

    boolean proportional = true;
    Object burst = m.get("burst");
    if (burst != null) {
      String b = burst.toString().strip().toLowerCase(Locale.ROOT);
      if (b.equals("fixed")) {
        proportional = false;
      } else if (!b.equals("proportional")) {
        problems.add("adaptive.burst: " + burst + " (expected: proportional or fixed)");
      }
    }
    long minBurst = (long) number("adaptive.min-burst", m.get("min-burst"), d.minBurst());
    if (!problems.isEmpty()) {
      return d;
    }
    boolean prop = proportional;
    return build(d, () -> new AdaptiveSettings(enabled, shadow, interval, controllers, aimd, errors, gradient, pi,
        staticRate, limits, prop, minBurst));
  }

  private <T> T build(T fallback, Supplier<T> make) {
    int before = problems.size();
    try {
      T t = make.get();
      return problems.size() == before ? t : fallback;
    } catch (IllegalArgumentException ex) {
      problems.add(ex.getMessage());
      return fallback;
    }
  }

  private void unknown(String path, Map<String, ?> m, Set<String> keys) {
    for (String k : m.keySet()) {
      if (!keys.contains(k)) {
        problems.add(path + "." + k + ": unknown key (expected: one of " + keys.stream().sorted().toList() + ")");
      }
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, ?> section(Map<String, ?> m, String key, Set<String> keys) {
    Object v = m.get(key);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?>)) {
      problems.add("adaptive." + key + ": " + v + " (expected: a mapping)");
      return Map.of();
    }
    Map<String, ?> sub = (Map<String, ?>) v;
    unknown("adaptive." + key, sub, keys);
    return sub;
  }

  private List<String> names(Object v, List<String> fallback) {
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof List<?> list)) {
      problems.add("adaptive.controllers: " + v + " (expected: a list such as [latency-aimd, error-backoff])");
      return fallback;
    }
    List<String> out = new ArrayList<>();
    for (Object o : list) {
      out.add(String.valueOf(o));
    }
    return out;
  }

  private boolean bool(String path, Object v, boolean fallback) {
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    problems.add(path + ": " + v + " (expected: true or false)");
    return fallback;
  }

  private double number(String path, Object v, double fallback) {
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(v.toString().strip());
    } catch (NumberFormatException ex) {
      problems.add(path + ": " + v + " (expected: a number)");
      return fallback;
    }
  }

  private double rate(String path, Object v, double fallback) {
    if (v == null) {
      return fallback;
    }
    try {
      return Rate.parse(v.toString()).perSecond();
    } catch (IllegalArgumentException ex) {
      problems.add(path + ": " + v + " (expected: a rate such as 2000/s)");
      return fallback;
    }
  }

  private double millis(String path, Object v, double fallback) {
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    Duration d = duration(path, v, null);
    return d == null ? fallback : d.toNanos() / 1e6;
  }

  private Duration duration(String path, Object v, Duration fallback) {
    if (v == null) {
      return fallback;
    }
    try {
      return Durations.parse(v.toString());
    } catch (IllegalArgumentException ex) {
      problems.add(path + ": " + v + " (expected: a duration such as 250ms, 5s, 2m or PT5S)");
      return fallback;
    }
  }
}
