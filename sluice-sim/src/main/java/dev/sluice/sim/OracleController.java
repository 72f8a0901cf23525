package dev.sluice.sim;

import dev.sluice.adaptive.RateController;
import dev.sluice.adaptive.Signals;
import java.time.Duration;
import java.util.function.LongToDoubleFunction;

/**
 * The simulation-only reference: proposes the backend's true capacity at the current instant
 * (times the scenario's oracle utilisation), which no real controller can know. A pure function
 * of {@code now}.
 */
final class OracleController implements RateController {

  private final LongToDoubleFunction target;

  OracleController(LongToDoubleFunction target) {
    this.target = target;
  }

  @Override
  public String name() {
    return "oracle";
  }

  @Override
  public Duration period() {
    return Duration.ofSeconds(1);
  }

  @Override
  public double propose(double currentRate, Signals signals, long nowNanos) {
    return Math.max(1e-3, target.applyAsDouble(nowNanos));
  }
}
