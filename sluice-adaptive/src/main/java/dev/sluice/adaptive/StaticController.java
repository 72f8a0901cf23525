package dev.sluice.adaptive;

import java.time.Duration;

/**
 * The baseline: always proposes the same rate, whatever the signals say.
 *
 * @param rate the rate it proposes, tokens per second
 * @param period how often it runs
 */
public record StaticController(double rate, Duration period) implements RateController {

  /** Validates the rate and period. */
  public StaticController {
    Check.positive("adaptive.static.rate", rate);
    Check.positive("adaptive.static.period", period);
  }

  /** Returns a static controller of {@code rate} running every 5 s. */
  public static StaticController of(double rate) {
    return new StaticController(rate, Duration.ofSeconds(5));
  }

  @Override
  public String name() {
    return "static";
  }

  @Override
  public double propose(double currentRate, Signals s, long nowNanos) {
    return rate;
  }
}
