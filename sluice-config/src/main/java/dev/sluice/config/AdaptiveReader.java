package dev.sluice.config;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.adaptive.CapacityController;
import dev.sluice.adaptive.Composition;
import dev.sluice.adaptive.ErrorBackoffController;
import dev.sluice.adaptive.GradientController;
import dev.sluice.adaptive.LatencyAimdController;
import dev.sluice.adaptive.PiController;
import dev.sluice.adaptive.HeavyClients;
import dev.sluice.adaptive.PredictiveSettings;
import dev.sluice.adaptive.StaticController;
import dev.sluice.adaptive.flood.FloodSettings;
import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import dev.sluice.core.Rate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads an {@code adaptive} section, of a config file or of a scenario file, once and straight
 * into {@link AdaptiveSettings} and its controllers' records; stateless.
 *
 * <p>Every key is optional and takes its value from {@link AdaptiveSettings#DEFAULTS}. Problems
 * carry the line of the value they name, in two rounds: first the types, field by field through
 * {@link Mapping} (numbers are numbers, durations carry a unit, rates are rates, unknown keys are
 * errors); then, only when every type is right, the records are built and their own range and
 * cross-field checks ({@code low < high}, {@code min-rate <= max-rate}) are reported on the line of
 * the value they name (for a pair, the second one present). A controller's record reports its first
 * problem only, and the controller names are checked once every controller is valid.
 */
public final class AdaptiveReader {

  /*
   * Design note. The records validate themselves (AdaptiveSettings and each controller's compact
   * constructor throw "adaptive.path: value (expected: ...)"), so this reader only checks types and
   * fills in defaults. Each controller is built as soon as its section is read; a record's own
   * complaint waits in a list and is reported only if no type problem was found anywhere in the
   * section (a range message about a value whose type is already reported would be noise).
   */

  /** Keys of the {@code adaptive} section. */
  public static final List<String> KEYS = List.of("enabled", "shadow", "interval", "controllers", "latency-aimd",
      "error-backoff", "gradient", "pi", "static", "capacity", "predictive", "limits", "burst", "min-burst",
      "anomaly");

  private static final List<String> LATENCY_AIMD =
      List.of("period", "low", "high", "increase", "decrease", "max-rate", "min-rate");
  private static final List<String> ERROR_BACKOFF =
      List.of("period", "window", "threshold", "factor", "min-rate", "min-responses");
  private static final List<String> GRADIENT = List.of("period", "buffer", "headroom", "smoothing", "min-rtt-window");
  private static final List<String> PI = List.of("period", "target", "kp", "ki", "max-step");
  private static final List<String> STATIC = List.of("rate");
  private static final List<String> CAPACITY = List.of("period", "gain", "target", "drain-time", "max-cut", "floor",
      "min-responses", "delivery-window", "rtt-window", "probe", "probe-gain");
  private static final List<String> PREDICTIVE = List.of("period", "mode", "forecaster", "headroom", "budget",
      "history", "min-history", "min-rate", "max-rate", "models", "retrain", "allocation");
  private static final List<String> ALLOCATION = List.of("tiers", "floor", "ceiling", "heavy-clients");
  private static final List<String> RETRAIN = List.of("every", "logs", "days");
  private static final List<String> LIMITS = List.of("min-rate", "max-rate", "ramp-up-per-second",
      "ramp-down-per-second", "warmup", "warmup-ramp-up-per-second", "demand-headroom", "spike-delay",
      "spike-timeouts");

  private AdaptiveReader() {}

  /**
   * Returns the settings the {@code adaptive} mapping {@code m} describes (an empty mapping gives
   * {@link AdaptiveSettings#DEFAULTS}), or {@code null} after recording its problems; {@code null}
   * when {@code m} is (its creator has reported it).
   *
   * @param m the section, as {@code parent.mapping("adaptive", AdaptiveReader.KEYS)} returns it
   * @param problems where problems go
   */
  public static AdaptiveSettings read(Mapping m, Problems problems) {
    if (m == null) {
      return null;
    }
    int before = problems.count();
    List<IllegalArgumentException> pending = new ArrayList<>();
    AdaptiveSettings d = AdaptiveSettings.DEFAULTS;
    boolean enabled = or(m.bool("enabled"), d.enabled());
    boolean shadow = or(m.bool("shadow"), d.shadow());
    Duration interval = or(m.duration("interval"), d.interval());
    List<String> controllers = or(controllers(m, problems), d.controllers());
    LatencyAimdController la = d.latencyAimd();
    LatencyAimdController aimd = section(m, "latency-aimd", LATENCY_AIMD, pending, s -> new LatencyAimdController(
        or(s.duration("period"), la.period()), millis(s.duration("low"), la.lowMillis()),
        millis(s.duration("high"), la.highMillis()), or(s.number("increase"), la.increase()),
        or(s.number("decrease"), la.decrease()), perSecond(s.rate("max-rate", false), la.maxRate()),
        perSecond(s.rate("min-rate", false), la.minRate())));
    ErrorBackoffController eb = d.errorBackoff();
    ErrorBackoffController errors = section(m, "error-backoff", ERROR_BACKOFF, pending, s -> new ErrorBackoffController(
        or(s.duration("period"), eb.period()), or(s.duration("window"), eb.window()),
        or(s.number("threshold"), eb.threshold()), or(s.number("factor"), eb.factor()),
        perSecond(s.rate("min-rate", false), eb.minRate()),
        or(s.integer("min-responses", 0, Integer.MAX_VALUE, false), eb.minResponses())));
    GradientController gd = d.gradient();
    GradientController gradient = section(m, "gradient", GRADIENT, pending, s -> new GradientController(
        or(s.duration("period"), gd.period()), or(s.number("buffer"), gd.buffer()),
        or(s.number("headroom"), gd.headroom()), or(s.number("smoothing"), gd.smoothing()),
        or(s.duration("min-rtt-window"), gd.minRttWindow())));
    PiController pd = d.pi();
    PiController pi = section(m, "pi", PI, pending, s -> new PiController(or(s.duration("period"), pd.period()),
        millis(s.duration("target"), pd.targetMillis()), or(s.number("kp"), pd.kp()), or(s.number("ki"), pd.ki()),
        or(s.number("max-step"), pd.maxStep())));
    Rate staticRate = section(m, "static", STATIC, pending, s -> s.rate("rate", false));
    StaticController fixed = staticRate == null ? null
        : attempt(pending, () -> new StaticController(staticRate.perSecond(), interval));
    CapacityController cd = d.capacity();
    CapacityController capacity = section(m, "capacity", CAPACITY, pending, s -> new CapacityController(
        or(s.duration("period"), cd.period()), or(s.number("gain"), cd.gain()), or(s.number("target"), cd.target()),
        or(s.duration("drain-time"), cd.drainTime()), or(s.number("max-cut"), cd.maxCut()),
        or(s.number("floor"), cd.floor()),
        or(s.integer("min-responses", 0, Integer.MAX_VALUE, false), cd.minResponses()),
        or(s.duration("delivery-window"), cd.deliveryWindow()), or(s.duration("rtt-window"), cd.rttWindow()),
        or(s.duration("probe"), cd.probe()), or(s.number("probe-gain"), cd.probeGain())));
    PredictiveSettings pr = d.predictive();
    PredictiveSettings predictive = section(m, "predictive", PREDICTIVE, pending, s -> new PredictiveSettings(
        or(s.duration("period"), pr.period()), or(s.string("mode", false), pr.mode()),
        or(s.string("forecaster", false), pr.forecaster()), or(s.number("headroom"), pr.headroom()),
        or(s.duration("budget"), pr.budget()),
        or(s.integer("history", 2, 1_000_000, false), (long) pr.history()).intValue(),
        or(s.integer("min-history", 2, 1_000_000, false), (long) pr.minHistory()).intValue(),
        perSecond(s.rate("min-rate", false), pr.minRate()), perSecond(s.rate("max-rate", false), pr.maxRate()),
        or(s.string("models", false), pr.models()), retrain(s), allocation(s, pr.allocation())));
    Composition ld = d.limits();
    Composition limits = section(m, "limits", LIMITS, pending, s -> new Composition(
        perSecond(s.rate("min-rate", false), ld.minRate()), perSecond(s.rate("max-rate", false), ld.maxRate()),
        or(s.number("ramp-up-per-second"), ld.rampUp()), or(s.number("ramp-down-per-second"), ld.rampDown()),
        or(s.duration("warmup"), ld.warmup()), or(s.number("warmup-ramp-up-per-second"), ld.warmupRampUp()),
        or(s.number("demand-headroom"), ld.demandHeadroom()), or(s.number("spike-delay"), ld.spikeDelay()),
        or(s.number("spike-timeouts"), ld.spikeTimeouts())));
    boolean proportional = burst(m, problems, d.proportionalBurst());
    long minBurst = or(m.integer("min-burst", 1, Long.MAX_VALUE, false), d.minBurst());
    FloodSettings anomaly = AnomalyReader.read(m.mapping("anomaly", AnomalyReader.KEYS), problems);
    if (problems.count() != before) {
      return null;
    }
    pending.forEach(m::reject);
    if (!pending.isEmpty()) {
      return null;
    }
    return m.build(() -> new AdaptiveSettings(enabled, shadow, interval, controllers, aimd, errors, gradient, pi,
        fixed, limits, proportional, minBurst, capacity, predictive, anomaly));
  }

  /**
   * Returns what {@code read} makes of section {@code key} (with its {@code known} keys), or {@code
   * null} when the section is not a mapping (reported) or its record rejects a value (added to
   * {@code pending}).
   */
  private static <T> T section(Mapping m, String key, List<String> known, List<IllegalArgumentException> pending,
      Function<Mapping, T> read) {
    Mapping s = m.mapping(key, known);
    return s == null ? null : attempt(pending, () -> read.apply(s));
  }

  /** Returns what {@code make} builds, or {@code null} after adding its rejection to {@code pending}. */
  private static <T> T attempt(List<IllegalArgumentException> pending, Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      pending.add(e);
      return null;
    }
  }

  /** Returns the {@code retrain} subsection, or {@code null} when absent (its record checks the values). */
  private static PredictiveSettings.Retrain retrain(Mapping predictive) {
    if (!predictive.has("retrain")) {
      return null;
    }
    Mapping r = predictive.mapping("retrain", RETRAIN);
    if (r == null) {
      return null;
    }
    Duration every = r.duration("every");
    String logs = r.string("logs", true);
    Long days = r.integer("days", 1, 36_500, false);
    return new PredictiveSettings.Retrain(every, logs, days == null ? 7 : days.intValue());
  }

  /** Returns the {@code allocation} subsection, {@code fallback} where a value is absent. */
  private static PredictiveSettings.Allocation allocation(Mapping predictive, PredictiveSettings.Allocation fallback) {
    if (!predictive.has("allocation")) {
      return fallback;
    }
    Mapping a = predictive.mapping("allocation", ALLOCATION);
    if (a == null) {
      return fallback;
    }
    return new PredictiveSettings.Allocation(or(a.bool("tiers"), fallback.tiers()),
        or(a.number("floor"), fallback.floor()), or(a.number("ceiling"), fallback.ceiling()),
        or(a.integer("heavy-clients", 0, HeavyClients.MAX_K, false), (long) fallback.heavyClients()).intValue());
  }

  private static List<String> controllers(Mapping m, Problems problems) {
    String expected = "a list such as [capacity, error-backoff]";
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

  private static boolean burst(Mapping m, Problems problems, boolean fallback) {
    String burst = m.string("burst", false);
    if (burst == null || !burst.equals("proportional") && !burst.equals("fixed")) {
      if (burst != null) {
        problems.invalid(m.node("burst"), m.path("burst"), "proportional or fixed");
      }
      return fallback;
    }
    return burst.equals("proportional");
  }

  private static double millis(Duration value, double fallback) {
    return value == null ? fallback : value.toNanos() / 1e6;
  }

  private static double perSecond(Rate value, double fallback) {
    return value == null ? fallback : value.perSecond();
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
