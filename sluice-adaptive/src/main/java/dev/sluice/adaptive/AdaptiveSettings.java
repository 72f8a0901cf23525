package dev.sluice.adaptive;

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
 * @param interval the control interval (default 5 s)
 * @param controllers names of the enabled controllers, in order (default
 *     {@code [latency-aimd, error-backoff]}, the seed's combination)
 * @param latencyAimd latency AIMD parameters
 * @param errorBackoff error backoff parameters
 * @param gradient gradient parameters
 * @param pi PI parameters
 * @param staticRate the static controller, or {@code null} when none is configured
 * @param limits composition: caps, ramp limit, warm-up, demand gate
 * @param proportionalBurst whether a moved level's burst scales with its rate (default) or stays
 * @param minBurst the smallest burst a scaled level gets (at least the largest request cost)
 */
public record AdaptiveSettings(
    boolean enabled, boolean shadow, Duration interval, List<String> controllers,
    LatencyAimdController latencyAimd, ErrorBackoffController errorBackoff, GradientController gradient,
    PiController pi, StaticController staticRate, Composition limits, boolean proportionalBurst, long minBurst) {

  /** Controller names {@link #controllers()} may list. */
  public static final List<String> CONTROLLER_NAMES =
      List.of("latency-aimd", "error-backoff", "gradient", "pi", "static");

  /**
   * The settings of an absent or empty {@code adaptive} section: disabled, applied (not shadow),
   * a 5 s interval (as docs/config.md documents), and latency AIMD + error backoff with the seed's
   * numbers.
   */
  public static final AdaptiveSettings DEFAULTS = new AdaptiveSettings(false, false, Duration.ofSeconds(5),
      List.of("latency-aimd", "error-backoff"), LatencyAimdController.DEFAULTS, ErrorBackoffController.DEFAULTS,
      GradientController.DEFAULTS, PiController.DEFAULTS, null, Composition.DEFAULTS, true, 1);

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
    if (latencyAimd == null || errorBackoff == null || gradient == null || pi == null || limits == null) {
      throw new IllegalArgumentException("adaptive: a controller's parameters are null (expected: defaults)");
    }
    if (minBurst < 1) {
      throw new IllegalArgumentException("adaptive.min-burst: " + minBurst + " (expected: >= 1)");
    }
  }

  /** Returns the enabled controllers, in order. */
  public List<RateController> enabledControllers() {
    List<RateController> out = new ArrayList<>();
    for (String name : controllers) {
      out.add(switch (name) {
        case "latency-aimd" -> latencyAimd;
        case "error-backoff" -> errorBackoff;
        case "gradient" -> gradient;
        case "pi" -> pi;
        default -> staticRate;
      });
    }
    return out;
  }

  /** Returns a copy with other enabled controllers. */
  public AdaptiveSettings withControllers(List<String> names) {
    return new AdaptiveSettings(enabled, shadow, interval, names, latencyAimd, errorBackoff, gradient, pi,
        staticRate, limits, proportionalBurst, minBurst);
  }

  /** Returns a copy with other composition limits. */
  public AdaptiveSettings withLimits(Composition next) {
    return new AdaptiveSettings(enabled, shadow, interval, controllers, latencyAimd, errorBackoff, gradient, pi,
        staticRate, next, proportionalBurst, minBurst);
  }

  /** Returns a copy in or out of shadow mode. */
  public AdaptiveSettings withShadow(boolean on) {
    return new AdaptiveSettings(enabled, on, interval, controllers, latencyAimd, errorBackoff, gradient, pi,
        staticRate, limits, proportionalBurst, minBurst);
  }

  /** Returns a copy with a static controller of {@code rate} (not enabled by this call). */
  public AdaptiveSettings withStaticRate(double rate) {
    return new AdaptiveSettings(enabled, shadow, interval, controllers, latencyAimd, errorBackoff, gradient, pi,
        new StaticController(rate, interval), limits, proportionalBurst, minBurst);
  }

  /** Returns a copy whose scaled bursts never drop below {@code floor}. */
  public AdaptiveSettings withMinBurst(long floor) {
    return new AdaptiveSettings(enabled, shadow, interval, controllers, latencyAimd, errorBackoff, gradient, pi,
        staticRate, limits, proportionalBurst, floor);
  }
}
