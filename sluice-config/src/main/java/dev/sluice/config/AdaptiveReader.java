package dev.sluice.config;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.adaptive.Composition;
import dev.sluice.adaptive.ErrorBackoffController;
import dev.sluice.adaptive.GradientController;
import dev.sluice.adaptive.LatencyAimdController;
import dev.sluice.adaptive.PiController;
import dev.sluice.adaptive.StaticController;
import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import dev.sluice.core.Rate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
   * fills in defaults. Each section is read in two steps: its typed values now, into a Supplier that
   * builds the record later, so that no range is checked while any type is wrong (a range message
   * about a value whose type is already reported would be noise).
   */

  /** Keys of the {@code adaptive} section. */
  public static final List<String> KEYS = List.of("enabled", "shadow", "interval", "controllers", "latency-aimd",
      "error-backoff", "gradient", "pi", "static", "limits", "burst", "min-burst");

  private static final List<String> LATENCY_AIMD =
      List.of("period", "low", "high", "increase", "decrease", "max-rate", "min-rate");
  private static final List<String> ERROR_BACKOFF =
      List.of("period", "window", "threshold", "factor", "min-rate", "min-responses");
  private static final List<String> GRADIENT = List.of("period", "buffer", "headroom", "smoothing", "min-rtt-window");
  private static final List<String> PI = List.of("period", "target", "kp", "ki", "max-step");
  private static final List<String> STATIC = List.of("rate");
  private static final List<String> LIMITS = List.of("min-rate", "max-rate", "ramp-up", "ramp-down",
      "warmup-intervals", "warmup-ramp-up", "demand-headroom");

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
    AdaptiveSettings d = AdaptiveSettings.DEFAULTS;
    boolean enabled = or(m.bool("enabled"), d.enabled());
    boolean shadow = or(m.bool("shadow"), d.shadow());
    Duration interval = or(m.duration("interval"), d.interval());
    List<String> controllers = or(controllers(m, problems), d.controllers());
    Supplier<LatencyAimdController> aimd = latencyAimd(m.mapping("latency-aimd", LATENCY_AIMD), d.latencyAimd());
    Supplier<ErrorBackoffController> errors =
        errorBackoff(m.mapping("error-backoff", ERROR_BACKOFF), d.errorBackoff());
    Supplier<GradientController> gradient = gradient(m.mapping("gradient", GRADIENT), d.gradient());
    Supplier<PiController> pi = pi(m.mapping("pi", PI), d.pi());
    Mapping staticSection = m.mapping("static", STATIC);
    Rate staticRate = staticSection == null ? null : staticSection.rate("rate", false);
    Supplier<Composition> limits = limits(m.mapping("limits", LIMITS), d.limits());
    boolean proportional = burst(m, problems, d.proportionalBurst());
    long minBurst = or(m.integer("min-burst", 1, Long.MAX_VALUE, false), d.minBurst());
    if (problems.count() != before) {
      return null;
    }
    LatencyAimdController a = m.build(aimd);
    ErrorBackoffController e = m.build(errors);
    GradientController g = m.build(gradient);
    PiController p = m.build(pi);
    StaticController s = staticRate == null ? null
        : m.build(() -> new StaticController(staticRate.perSecond(), interval));
    Composition l = m.build(limits);
    if (problems.count() != before) {
      return null;
    }
    return m.build(() -> new AdaptiveSettings(enabled, shadow, interval, controllers, a, e, g, p, s, l,
        proportional, minBurst));
  }

  private static Supplier<LatencyAimdController> latencyAimd(Mapping s, LatencyAimdController d) {
    if (s == null) {
      return null;
    }
    Duration period = s.duration("period");
    Duration low = s.duration("low");
    Duration high = s.duration("high");
    Double increase = s.number("increase");
    Double decrease = s.number("decrease");
    Rate maxRate = s.rate("max-rate", false);
    Rate minRate = s.rate("min-rate", false);
    return () -> new LatencyAimdController(or(period, d.period()), millis(low, d.lowMillis()),
        millis(high, d.highMillis()), or(increase, d.increase()), or(decrease, d.decrease()),
        perSecond(maxRate, d.maxRate()), perSecond(minRate, d.minRate()));
  }

  private static Supplier<ErrorBackoffController> errorBackoff(Mapping s, ErrorBackoffController d) {
    if (s == null) {
      return null;
    }
    Duration period = s.duration("period");
    Duration window = s.duration("window");
    Double threshold = s.number("threshold");
    Double factor = s.number("factor");
    Rate minRate = s.rate("min-rate", false);
    Long minResponses = s.integer("min-responses", 0, Integer.MAX_VALUE, false);
    return () -> new ErrorBackoffController(or(period, d.period()), or(window, d.window()),
        or(threshold, d.threshold()), or(factor, d.factor()), perSecond(minRate, d.minRate()),
        or(minResponses, d.minResponses()));
  }

  private static Supplier<GradientController> gradient(Mapping s, GradientController d) {
    if (s == null) {
      return null;
    }
    Duration period = s.duration("period");
    Double buffer = s.number("buffer");
    Double headroom = s.number("headroom");
    Double smoothing = s.number("smoothing");
    Duration minRttWindow = s.duration("min-rtt-window");
    return () -> new GradientController(or(period, d.period()), or(buffer, d.buffer()), or(headroom, d.headroom()),
        or(smoothing, d.smoothing()), or(minRttWindow, d.minRttWindow()));
  }

  private static Supplier<PiController> pi(Mapping s, PiController d) {
    if (s == null) {
      return null;
    }
    Duration period = s.duration("period");
    Duration target = s.duration("target");
    Double kp = s.number("kp");
    Double ki = s.number("ki");
    Double maxStep = s.number("max-step");
    return () -> new PiController(or(period, d.period()), millis(target, d.targetMillis()), or(kp, d.kp()),
        or(ki, d.ki()), or(maxStep, d.maxStep()));
  }

  private static Supplier<Composition> limits(Mapping s, Composition d) {
    if (s == null) {
      return null;
    }
    Rate minRate = s.rate("min-rate", false);
    Rate maxRate = s.rate("max-rate", false);
    Double rampUp = s.number("ramp-up");
    Double rampDown = s.number("ramp-down");
    Long warmupIntervals = s.integer("warmup-intervals", 0, Integer.MAX_VALUE, false);
    Double warmupRampUp = s.number("warmup-ramp-up");
    Double demandHeadroom = s.number("demand-headroom");
    return () -> new Composition(perSecond(minRate, d.minRate()), perSecond(maxRate, d.maxRate()),
        or(rampUp, d.rampUp()), or(rampDown, d.rampDown()),
        warmupIntervals == null ? d.warmupIntervals() : warmupIntervals.intValue(),
        or(warmupRampUp, d.warmupRampUp()), or(demandHeadroom, d.demandHeadroom()));
  }

  private static List<String> controllers(Mapping m, Problems problems) {
    String expected = "a list such as [latency-aimd, error-backoff]";
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
