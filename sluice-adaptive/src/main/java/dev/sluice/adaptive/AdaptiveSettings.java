package dev.sluice.adaptive;

import dev.sluice.adaptive.flood.FloodSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the control loop needs: switches, the parameters of every controller (seed numbers
 * by default), which controllers are enabled, and how proposals are composed. Immutable; the
 * {@code adaptive} section of a config or scenario file is read into one by sluice-config's
 * {@code AdaptiveReader}.
 *
 * @param enabled whether a control loop moves the rates at all
 * @param shadow compute and export proposed rates without applying them
 * @param interval the control interval (default 1 s)
 * @param controllers names of the enabled controllers, in order (default {@link #DEFAULT_CONTROLLERS},
 *     the {@code default} policy; the seed's combination is {@link #SEED_CONTROLLERS})
 * @param latencyAimd latency AIMD parameters
 * @param errorBackoff error backoff parameters
 * @param gradient gradient parameters
 * @param pi PI parameters
 * @param staticRate the static controller, or {@code null} when none is configured
 * @param limits composition: caps, ramp limit, warm-up, demand gate
 * @param proportionalBurst whether a moved level's burst scales with its rate (default) or stays
 * @param minBurst the smallest burst a scaled level gets (at least the largest request cost)
 * @param capacity capacity controller parameters, also the windows of the collector's capacity
 *     estimator
 * @param predictive predictive controller parameters; the controller itself needs a forecaster
 *     and a ticker, see {@link #enabledControllers(PredictiveFactory)}
 * @param anomaly the flood detector and its response ({@code adaptive.anomaly}; disabled by default)
 */
public record AdaptiveSettings(
    boolean enabled, boolean shadow, Duration interval, List<String> controllers,
    LatencyAimdController latencyAimd, ErrorBackoffController errorBackoff, GradientController gradient,
    PiController pi, StaticController staticRate, Composition limits, boolean proportionalBurst, long minBurst,
    CapacityController capacity, PredictiveSettings predictive, FloodSettings anomaly) {

  /** Controller names {@link #controllers()} may list. */
  public static final List<String> CONTROLLER_NAMES =
      List.of("latency-aimd", "error-backoff", "gradient", "pi", "static", "capacity", "predictive");

  /** The {@code predictive} policy: the default policy with the predictive controller beside it. */
  public static final List<String> PREDICTIVE_CONTROLLERS = List.of("capacity", "predictive");

  /**
   * Builds the predictive controller of a loop: the caller supplies the forecaster (sluice-ml's,
   * which this module cannot see) and the ticker its budget runs on.
   */
  @FunctionalInterface
  public interface PredictiveFactory {
    /** Returns the controller for {@code settings}. */
    PredictiveController create(PredictiveSettings settings);
  }

  /**
   * The {@code default} policy: what runs when {@code adaptive.enabled} is true and no controller
   * list is given. Chosen by the simulator's results, see docs/adaptive.md.
   */
  public static final List<String> DEFAULT_CONTROLLERS = List.of("capacity");

  /** The seed's combination (seed 003): latency AIMD and error backoff, the {@code seed} policy. */
  public static final List<String> SEED_CONTROLLERS = List.of("latency-aimd", "error-backoff");

  /**
   * The settings of an absent or empty {@code adaptive} section: disabled, applied (not shadow),
   * a 1 s interval (as docs/config.md documents), the {@link #DEFAULT_CONTROLLERS}, and every
   * controller's defaults.
   */
  public static final AdaptiveSettings DEFAULTS = new AdaptiveSettings(false, false, Duration.ofSeconds(1),
      DEFAULT_CONTROLLERS, LatencyAimdController.DEFAULTS, ErrorBackoffController.DEFAULTS,
      GradientController.DEFAULTS, PiController.DEFAULTS, null, Composition.DEFAULTS, true, 1,
      CapacityController.DEFAULTS, PredictiveSettings.DEFAULTS, FloodSettings.DEFAULTS);

  /** Settings with the default predictive controller parameters and without the flood response. */
  public AdaptiveSettings(boolean enabled, boolean shadow, Duration interval, List<String> controllers,
      LatencyAimdController latencyAimd, ErrorBackoffController errorBackoff, GradientController gradient,
      PiController pi, StaticController staticRate, Composition limits, boolean proportionalBurst, long minBurst,
      CapacityController capacity) {
    this(enabled, shadow, interval, controllers, latencyAimd, errorBackoff, gradient, pi, staticRate, limits,
        proportionalBurst, minBurst, capacity, PredictiveSettings.DEFAULTS, FloodSettings.DEFAULTS);
  }

  /** Settings with the default capacity controller. */
  public AdaptiveSettings(boolean enabled, boolean shadow, Duration interval, List<String> controllers,
      LatencyAimdController latencyAimd, ErrorBackoffController errorBackoff, GradientController gradient,
      PiController pi, StaticController staticRate, Composition limits, boolean proportionalBurst, long minBurst) {
    this(enabled, shadow, interval, controllers, latencyAimd, errorBackoff, gradient, pi, staticRate, limits,
        proportionalBurst, minBurst, CapacityController.DEFAULTS, PredictiveSettings.DEFAULTS, FloodSettings.DEFAULTS);
  }

  /** Validates the interval, the controller names and the burst floor. */
  public AdaptiveSettings {
    Check.positive("adaptive.interval", interval);
    controllers = List.copyOf(controllers);
    for (int i = 0; i < controllers.size(); i++) {
      String name = controllers.get(i);
      if (!CONTROLLER_NAMES.contains(name)) {
        throw new IllegalArgumentException("adaptive.controllers[" + i + "]: " + name + " (expected: one of "
            + CONTROLLER_NAMES + ")");
      }
      if (name.equals("static") && staticRate == null) {
        throw new IllegalArgumentException("adaptive.static.rate: missing (expected: a rate, as the static"
            + " controller is enabled)");
      }
    }
    if (latencyAimd == null || errorBackoff == null || gradient == null || pi == null || limits == null
        || capacity == null || predictive == null || anomaly == null) {
      throw new IllegalArgumentException("adaptive: a controller's parameters are null (expected: defaults)");
    }
    if (minBurst < 1) {
      throw new IllegalArgumentException("adaptive.min-burst: " + minBurst + " (expected: >= 1)");
    }
  }

  /**
   * Returns the enabled controllers, in order; a {@code predictive} one has no forecaster here (it
   * falls back on every run), see {@link #enabledControllers(PredictiveFactory)}.
   */
  public List<RateController> enabledControllers() {
    return enabledControllers(p -> new PredictiveController(p, null, () -> 0L));
  }

  /** Returns the enabled controllers, in order, the predictive one built by {@code factory}. */
  public List<RateController> enabledControllers(PredictiveFactory factory) {
    List<RateController> out = new ArrayList<>();
    for (String name : controllers) {
      out.add(switch (name) {
        case "predictive" -> factory.create(predictive);
        case "latency-aimd" -> latencyAimd;
        case "error-backoff" -> errorBackoff;
        case "gradient" -> gradient;
        case "pi" -> pi;
        case "capacity" -> capacity;
        default -> staticRate;
      });
    }
    return out;
  }

  /** Returns a copy with other enabled controllers. */
  public AdaptiveSettings withControllers(List<String> names) {
    return new AdaptiveSettings(enabled, shadow, interval, names, latencyAimd, errorBackoff, gradient, pi,
        staticRate, limits, proportionalBurst, minBurst, capacity, predictive, anomaly);
  }

  /** Returns a copy with other composition limits. */
  public AdaptiveSettings withLimits(Composition next) {
    return new AdaptiveSettings(enabled, shadow, interval, controllers, latencyAimd, errorBackoff, gradient, pi,
        staticRate, next, proportionalBurst, minBurst, capacity, predictive, anomaly);
  }

  /** Returns a copy in or out of shadow mode. */
  public AdaptiveSettings withShadow(boolean on) {
    return new AdaptiveSettings(enabled, on, interval, controllers, latencyAimd, errorBackoff, gradient, pi,
        staticRate, limits, proportionalBurst, minBurst, capacity, predictive, anomaly);
  }

  /** Returns a copy with a static controller of {@code rate} (not enabled by this call). */
  public AdaptiveSettings withStaticRate(double rate) {
    return new AdaptiveSettings(enabled, shadow, interval, controllers, latencyAimd, errorBackoff, gradient, pi,
        new StaticController(rate, interval), limits, proportionalBurst, minBurst, capacity, predictive, anomaly);
  }

  /** Returns a copy whose scaled bursts never drop below {@code floor}. */
  public AdaptiveSettings withMinBurst(long floor) {
    return new AdaptiveSettings(enabled, shadow, interval, controllers, latencyAimd, errorBackoff, gradient, pi,
        staticRate, limits, proportionalBurst, floor, capacity, predictive, anomaly);
  }

  /** Returns a copy with another control interval. */
  public AdaptiveSettings withInterval(Duration next) {
    return new AdaptiveSettings(enabled, shadow, next, controllers, latencyAimd, errorBackoff, gradient, pi,
        staticRate, limits, proportionalBurst, minBurst, capacity, predictive, anomaly);
  }

  /** Returns a copy with other capacity controller parameters. */
  public AdaptiveSettings withCapacity(CapacityController next) {
    return new AdaptiveSettings(enabled, shadow, interval, controllers, latencyAimd, errorBackoff, gradient, pi,
        staticRate, limits, proportionalBurst, minBurst, next, predictive, anomaly);
  }

  /** Returns a copy with other flood-response settings. */
  public AdaptiveSettings withAnomaly(FloodSettings next) {
    return new AdaptiveSettings(enabled, shadow, interval, controllers, latencyAimd, errorBackoff, gradient, pi,
        staticRate, limits, proportionalBurst, minBurst, capacity, predictive, next);
  }

  /** Returns a copy with other predictive controller parameters. */
  public AdaptiveSettings withPredictive(PredictiveSettings next) {
    return new AdaptiveSettings(enabled, shadow, interval, controllers, latencyAimd, errorBackoff, gradient, pi,
        staticRate, limits, proportionalBurst, minBurst, capacity, next, anomaly);
  }
}
