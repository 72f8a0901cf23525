package dev.sluice.adaptive;

import java.time.Duration;

/**
 * The gradient algorithm of Envoy's adaptive concurrency filter and Netflix's Gradient2, applied to
 * a rate: {@code gradient = (minRTT + buffer) / sampleRTT} clamped to [0.5, 2], where sampleRTT is
 * the interval's median latency, minRTT the smallest interval median over a long window (see
 * {@link SignalCollector}) and buffer {@code minRTT * buffer}. The proposal is
 * {@code rate * gradient + headroom * rate}, smoothed: {@code (1 - smoothing) * rate + smoothing *
 * proposal}. Below capacity latency sits near minRTT, the gradient is above 1 and the rate grows;
 * as queues build the gradient falls below 1 and the rate shrinks. With no responses it abstains.
 *
 * @param period how often it runs (default 5 s)
 * @param buffer tolerance added to minRTT, as a fraction of it (Envoy's default: 0.25)
 * @param headroom additive exploration, as a fraction of the rate (default 0)
 * @param smoothing weight of the new proposal, in (0, 1] (Gradient2's default: 0.2; here 0.5)
 * @param minRttWindow how far back minRTT looks (default 30 s: long enough to span a few
 *     intervals, short enough that a lasting slowdown becomes the new baseline)
 */
public record GradientController(
    Duration period, double buffer, double headroom, double smoothing, Duration minRttWindow)
    implements RateController {

  /** The smallest gradient applied in one step. */
  public static final double MIN_GRADIENT = 0.5;
  /** The largest gradient applied in one step. */
  public static final double MAX_GRADIENT = 2.0;

  /** Defaults: 5 s, buffer 25 %, no headroom, smoothing 0.5, 30 s minRTT window. */
  public static final GradientController DEFAULTS =
      new GradientController(Duration.ofSeconds(5), 0.25, 0.0, 0.5, Duration.ofSeconds(30));

  /** Validates every parameter. */
  public GradientController {
    String p = "adaptive.gradient.";
    Check.positive(p + "period", period);
    Check.range(p + "buffer", buffer, 0, 10, false, false);
    Check.range(p + "headroom", headroom, 0, 1, false, false);
    Check.range(p + "smoothing", smoothing, 0, 1, true, false);
    Check.positive(p + "min-rtt-window", minRttWindow);
  }

  @Override
  public String name() {
    return "gradient";
  }

  /** Returns the clamped gradient for a minimum and a sampled RTT. */
  public double gradient(double minRttMillis, double sampleRttMillis) {
    double g = (minRttMillis * (1 + buffer)) / sampleRttMillis;
    return Math.max(MIN_GRADIENT, Math.min(MAX_GRADIENT, g));
  }

  @Override
  public double propose(double currentRate, Signals s, long nowNanos) {
    double sample = s.p50Millis();
    double min = s.minRttMillis();
    if (s.responses() == 0 || !(sample > 0) || !(min > 0)) {
      return ABSTAIN;
    }
    double raw = currentRate * gradient(min, sample) + headroom * currentRate;
    return (1 - smoothing) * currentRate + smoothing * raw;
  }
}
