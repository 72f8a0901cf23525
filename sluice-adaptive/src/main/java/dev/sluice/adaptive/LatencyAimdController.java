package dev.sluice.adaptive;

import java.time.Duration;

/**
 * Latency AIMD (seed 003): every period, a p95 below {@code lowMillis} multiplies the rate by
 * {@code increase} up to {@code maxRate}; a p95 above {@code highMillis} multiplies it by
 * {@code decrease} down to {@code minRate}; in between it holds. With no responses in the interval
 * it abstains (no evidence either way).
 *
 * @param period how often it runs (seed: 5 s)
 * @param lowMillis p95 below which the rate grows (seed: 150 ms)
 * @param highMillis p95 above which the rate shrinks (seed: 300 ms)
 * @param increase growth factor, {@code > 1} (seed: 1.2)
 * @param decrease shrink factor, in (0, 1) (seed: 0.7)
 * @param maxRate the largest rate it proposes by growing (seed: 2000/s)
 * @param minRate the smallest rate it proposes by shrinking (seed: 200/s)
 */
public record LatencyAimdController(
    Duration period, double lowMillis, double highMillis, double increase, double decrease,
    double maxRate, double minRate) implements RateController {

  /** The seed's numbers. */
  public static final LatencyAimdController DEFAULTS =
      new LatencyAimdController(Duration.ofSeconds(5), 150, 300, 1.2, 0.7, 2000, 200);

  /** Validates every parameter. */
  public LatencyAimdController {
    String p = "adaptive.latency-aimd.";
    Check.positive(p + "period", period);
    Check.positive(p + "low", lowMillis);
    Check.positive(p + "high", highMillis);
    Check.order(p + "low/high", lowMillis, highMillis, "low", "high");
    Check.range(p + "increase", increase, 1, 100, true, false);
    Check.range(p + "decrease", decrease, 0, 1, true, true);
    Check.positive(p + "max-rate", maxRate);
    Check.positive(p + "min-rate", minRate);
    Check.order(p + "min-rate/max-rate", minRate, maxRate, "min-rate", "max-rate");
  }

  @Override
  public String name() {
    return "latency-aimd";
  }

  @Override
  public double propose(double currentRate, Signals s, long nowNanos) {
    if (s.responses() == 0 || Double.isNaN(s.p95Millis())) {
      return ABSTAIN;
    }
    if (s.p95Millis() < lowMillis) {
      return Math.min(currentRate * increase, maxRate);
    }
    if (s.p95Millis() > highMillis) {
      return Math.max(currentRate * decrease, minRate);
    }
    return currentRate;
  }
}
