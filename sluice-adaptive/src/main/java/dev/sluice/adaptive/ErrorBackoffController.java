package dev.sluice.adaptive;

import java.time.Duration;

/**
 * Error backoff (seed 003): every period, if the 5xx ratio over the sliding window exceeds
 * {@code threshold}, multiply the rate by {@code factor}, floored at {@code minRate}; otherwise
 * abstain (errors below the threshold say nothing about how high the rate may go). Windows with
 * fewer than {@code minResponses} responses are too small to judge and also abstain.
 *
 * <p>The window is at most the period: error backoff remembers no longer than it waits between
 * runs, so errors it has already cut for do not cut again after their cause is gone (the seed's
 * 60 s window halved the rate six times for one burst).
 *
 * @param period how often it runs (seed: 10 s)
 * @param window the sliding window the error ratio is measured over, at most {@code period}
 *     (default 10 s; the seed's 60 s outlived the cause)
 * @param threshold the 5xx ratio above which it cuts (seed: 0.05)
 * @param factor the cut factor, in (0, 1) (seed: 0.5)
 * @param minRate the floor of a cut (seed: 100/s)
 * @param minResponses the fewest window responses it judges (default 20)
 */
public record ErrorBackoffController(
    Duration period, Duration window, double threshold, double factor, double minRate, long minResponses)
    implements RateController {

  /** The seed's numbers, but for the window (10 s, its period). */
  public static final ErrorBackoffController DEFAULTS = new ErrorBackoffController(
      Duration.ofSeconds(10), Duration.ofSeconds(10), 0.05, 0.5, 100, 20);

  /** Validates every parameter. */
  public ErrorBackoffController {
    String p = "adaptive.error-backoff.";
    Check.positive(p + "period", period);
    Check.positive(p + "window", window);
    Check.range(p + "threshold", threshold, 0, 1, true, true);
    Check.range(p + "factor", factor, 0, 1, true, true);
    Check.positive(p + "min-rate", minRate);
    Check.nonNegative(p + "min-responses", minResponses);
    if (window.compareTo(period) > 0) {
      throw new IllegalArgumentException(p + "window: " + window + " (expected: <= period " + period
          + ", so errors are not remembered past the next run)");
    }
  }

  @Override
  public String name() {
    return "error-backoff";
  }

  @Override
  public double propose(double currentRate, Signals s, long nowNanos) {
    if (s.errorWindowResponses() < Math.max(1, minResponses) || !(s.errorRatio() > threshold)) {
      return ABSTAIN;
    }
    return Math.max(currentRate * factor, minRate);
  }
}
