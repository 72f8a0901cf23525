package dev.sluice.ml.live;

import dev.sluice.adaptive.DemandForecaster;
import dev.sluice.adaptive.anomaly.Baseline;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The anomaly watch's baseline from the learning module: while a demand model is active, the
 * forecast is the model's for the next window (from the series' last {@code history} values,
 * converted between tokens per window and the model's tokens per second); with none active, too
 * little history, or a model that fails or answers a non-finite value, it is the EWMA fallback's.
 * The fallback learns every value either way, so a model's deactivation is seamless. Single writer
 * (the response's step thread); memory is the ring of {@code history} doubles.
 */
public final class ForecastBaseline implements Baseline {

  /** Values a model needs before its forecast is used. */
  static final int MIN_HISTORY = 10;

  private final Supplier<DemandForecaster> model;
  private final double stepSeconds;
  private final Baseline fallback;
  private final double[] ring;
  private int count;
  private int next;
  private String lastSource = "ewma";

  private ForecastBaseline(Supplier<DemandForecaster> model, double stepSeconds, int history, Baseline fallback) {
    this.model = model;
    this.stepSeconds = stepSeconds;
    this.fallback = fallback;
    this.ring = new double[history];
  }

  /**
   * Returns a baseline over windows of {@code stepSeconds} that asks {@code model} (which returns
   * {@code null} while no model is active) for each forecast, else {@code fallback}.
   *
   * @throws IllegalArgumentException for a missing argument, {@code stepSeconds <= 0} or {@code
   *     history < MIN_HISTORY}
   */
  public static ForecastBaseline of(Supplier<DemandForecaster> model, double stepSeconds, int history,
      Baseline fallback) {
    if (model == null || fallback == null) {
      throw new IllegalArgumentException("model and fallback: required");
    }
    if (!(stepSeconds > 0) || Double.isInfinite(stepSeconds)) {
      throw new IllegalArgumentException("stepSeconds: " + stepSeconds + " (expected: > 0)");
    }
    if (history < MIN_HISTORY || history > 100_000) {
      throw new IllegalArgumentException("history: " + history + " (expected: >= " + MIN_HISTORY
          + " and <= 100000)");
    }
    return new ForecastBaseline(model, stepSeconds, history, fallback);
  }

  /**
   * Returns what {@code FloodResponse.create} takes for each tier: a fresh {@link ForecastBaseline}
   * over windows of {@code stepSeconds}, 120 values of history, EWMA(0.1) fallback. (The watch also
   * feeds a copy sums over its drift interval; a demand model is Holt smoothing, which scales with
   * its input, so its forecast is in the units it was given either way.)
   */
  public static Function<String, Baseline> perTier(Supplier<DemandForecaster> model, double stepSeconds) {
    return tier -> of(model, stepSeconds, 120, Baseline.ewma(0.1));
  }

  @Override
  public double forecast() {
    DemandForecaster f = model.get();
    if (f != null && count >= MIN_HISTORY) {
      try {
        double p = f.forecast(history(), stepSeconds).point() * stepSeconds;
        if (Double.isFinite(p)) {
          lastSource = "model";
          return Math.max(0, p);
        }
      } catch (RuntimeException e) {
        // a failing model falls back, as the predictive controller does
      }
    }
    lastSource = "ewma";
    return fallback.forecast();
  }

  @Override
  public void observe(long nanos, double value) {
    fallback.observe(nanos, value);
    ring[next] = value / stepSeconds;
    next = (next + 1) % ring.length;
    count = Math.min(count + 1, ring.length);
  }

  @Override
  public Baseline copy() {
    return new ForecastBaseline(model, stepSeconds, ring.length, fallback.copy());
  }

  /** Returns where the last forecast came from: {@code model} or {@code ewma}. */
  public String lastSource() {
    return lastSource;
  }

  /** The ring's values, oldest first, in tokens per second. */
  private double[] history() {
    double[] h = new double[count];
    int start = (next - count + ring.length) % ring.length;
    for (int i = 0; i < count; i++) {
      h[i] = ring[(start + i) % ring.length];
    }
    return h;
  }

  @Override
  public String toString() {
    return "forecast(" + fallback + ")";
  }
}
